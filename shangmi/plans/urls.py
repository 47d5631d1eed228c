from django.urls import URLPattern, path

from shangmi.plans import views

app_name = "plans"
urlpatterns: list[URLPattern] = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/compilation.docx", views.CompilationView.as_view(kind="docx"), name="compilation_docx"),
    path("<int:pk>/compilation.pdf", views.CompilationView.as_view(kind="pdf"), name="compilation_pdf"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/export/", views.TaskExportView.as_view(), name="task_export"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/report/", views.TaskReportView.as_view(), name="task_report"),
    path("tasks/<int:pk>/extend/", views.TaskExtendView.as_view(), name="task_extend"),
    path("tasks/<int:pk>/claim/", views.TaskClaimView.as_view(), name="task_claim"),
    path("tasks/<int:pk>/confirm/", views.TaskConfirmView.as_view(), name="task_confirm"),
    path("tasks/<int:pk>/send-back/", views.TaskSendBackView.as_view(), name="task_send_back"),
    path("extensions/<int:pk>/decide/", views.ExtensionDecideView.as_view(), name="extension_decide"),
    path("files/<int:pk>/", views.ReportFileView.as_view(), name="report_file"),
]
