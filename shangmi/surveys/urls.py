from django.urls import path

from shangmi.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey_list"),
    path("new/", views.SurveyCreateView.as_view(), name="survey_create"),
    path("<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("<int:pk>/close/", views.SurveyCloseView.as_view(), name="survey_close"),
    path("<int:pk>/remind/", views.SurveyRemindView.as_view(), name="survey_remind"),
    path("<int:pk>/deadline/", views.SurveyDeadlineView.as_view(), name="survey_deadline"),
    path("<int:pk>/results/", views.SurveyResultsView.as_view(), name="survey_results"),
    path("<int:pk>/report.pdf", views.SurveyReportView.as_view(), name="survey_report"),
    path("<int:pk>/answers.xlsx", views.SurveyExportView.as_view(), name="survey_export"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire_list"),
    path("questionnaires/new/", views.QuestionnaireCreateView.as_view(), name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.QuestionnaireEditView.as_view(), name="questionnaire_edit"),
    path("questionnaires/<int:pk>/copy/", views.QuestionnaireCopyView.as_view(), name="questionnaire_copy"),
    path("questionnaires/<int:pk>/delete/", views.QuestionnaireDeleteView.as_view(), name="questionnaire_delete"),
    path("questionnaires/<int:pk>/questions/new/", views.QuestionEditView.as_view(), name="question_add"),
    path(
        "questionnaires/<int:pk>/questions/<int:question_id>/", views.QuestionEditView.as_view(), name="question_edit"
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:question_id>/delete/",
        views.QuestionDeleteView.as_view(),
        name="question_delete",
    ),
    path(
        "questionnaires/<int:pk>/questions/<int:question_id>/move/",
        views.QuestionMoveView.as_view(),
        name="question_move",
    ),
]
