from shangmi.ledgers.activities import urls as urls_activities
from shangmi.ledgers.guidance import urls as urls_guidance
from shangmi.ledgers.rates import urls as urls_rates

app_name = "ledgers"
urlpatterns = [*urls_activities.urlpatterns, *urls_guidance.urlpatterns, *urls_rates.urlpatterns]
