from django.urls import URLPattern, path

from shangmi.enforcement import views

app_name = "enforcement"
urlpatterns: list[URLPattern] = [
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("demands/", views.DemandListView.as_view(), name="demand_list"),
    path("demands/new/", views.DemandCreateView.as_view(), name="demand_create"),
    path("demands/export/", views.DemandExportView.as_view(), name="demand_export"),
    path("demands/<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path("demands/<int:pk>/assign/", views.DemandAssignView.as_view(), name="demand_assign"),
    path("demands/<int:pk>/answer/", views.DemandAnswerView.as_view(), name="demand_answer"),
    path("demands/<int:pk>/note/", views.DemandNoteView.as_view(), name="demand_note"),
    path("demands/<int:pk>/rate/", views.DemandRateView.as_view(), name="demand_rate"),
    path("demands/<int:pk>/attach/", views.DemandAttachView.as_view(), name="demand_attach"),
    path("demands/files/<int:pk>/", views.DemandAttachmentView.as_view(), name="demand_file"),
]
