from shangmi.ledgers import urls_activities, urls_guidance

app_name = "ledgers"
urlpatterns = [*urls_activities.urlpatterns, *urls_guidance.urlpatterns]
