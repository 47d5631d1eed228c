from django.urls import URLPattern, path

from shangmi.enforcement import views

app_name = "enforcement"
urlpatterns: list[URLPattern] = [
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("figures/", views.CaseFiguresView.as_view(), name="figures"),
    path("figures/export/", views.CaseFiguresExportView.as_view(), name="figures_export"),
    path("calendar/load/", views.CalendarLoadView.as_view(), name="calendar_load"),
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
urlpatterns += [
    path("demands/<int:pk>/to-clue/", views.DemandToClueView.as_view(), name="demand_to_clue"),
    # Public: no account needed.
    path("report/", views.ClueReportView.as_view(), name="clue_report"),
    path("track/", views.ClueTrackView.as_view(), name="clue_track"),
    path("clues/", views.ClueListView.as_view(), name="clue_list"),
    path("clues/<int:pk>/", views.ClueDetailView.as_view(), name="clue_detail"),
    path("clues/<int:pk>/extend/", views.ClueExtendView.as_view(), name="clue_extend"),
    path("clues/<int:pk>/stop/", views.ClueStopView.as_view(), name="clue_stop"),
    path("clues/<int:pk>/resume/", views.ClueResumeView.as_view(), name="clue_resume"),
    path("clues/<int:pk>/decide/", views.ClueDecideView.as_view(), name="clue_decide"),
    path("clues/<int:pk>/notify/", views.ClueNotifyView.as_view(), name="clue_notify"),
    path("clues/<int:pk>/forward/", views.ClueForwardView.as_view(), name="clue_forward"),
    path("clues/<int:pk>/merge/", views.ClueMergeView.as_view(), name="clue_merge"),
    path("clues/files/<int:pk>/", views.ClueAttachmentView.as_view(), name="clue_file"),
]
urlpatterns += [
    path("clues/<int:pk>/open-case/", views.CaseOpenView.as_view(), name="case_open"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/suspend/", views.CaseSuspendView.as_view(), name="case_suspend"),
    path("cases/<int:pk>/resume/", views.CaseResumeView.as_view(), name="case_resume"),
    path("cases/<int:pk>/extend/", views.CaseExtendView.as_view(), name="case_extend"),
    path("cases/<int:pk>/decide/", views.CaseDecideView.as_view(), name="case_decide"),
]
urlpatterns += [
    path("cases/<int:pk>/evidence/", views.CaseEvidenceView.as_view(), name="case_evidence"),
    path("cases/<int:pk>/evidence/attach/", views.CaseEvidenceAttachView.as_view(), name="case_evidence_attach"),
    path("cases/evidence-files/<int:pk>/", views.EvidenceFileView.as_view(), name="case_evidence_file"),
    path("cases/<int:pk>/checklist/", views.CaseChecklistView.as_view(), name="case_checklist"),
    path("cases/<int:pk>/measure/", views.CaseMeasureView.as_view(), name="case_measure"),
    path("cases/<int:pk>/measure/decide/", views.CaseMeasureDecideView.as_view(), name="case_measure_decide"),
    path("cases/<int:pk>/measure/report/", views.CaseMeasureReportView.as_view(), name="case_measure_report"),
    path("cases/<int:pk>/appraisal/", views.CaseAppraisalView.as_view(), name="case_appraisal"),
    path("cases/<int:pk>/report/", views.CaseReportView.as_view(), name="case_report"),
    path("cases/<int:pk>/review/", views.CaseReviewView.as_view(), name="case_review"),
    path("cases/<int:pk>/notice/", views.CaseNoticeView.as_view(), name="case_notice"),
    path("cases/<int:pk>/respond/", views.CaseRespondView.as_view(), name="case_respond"),
    path("cases/<int:pk>/hearing/", views.CaseHearingView.as_view(), name="case_hearing"),
    path("cases/<int:pk>/serve/", views.CaseServeView.as_view(), name="case_serve"),
    path("cases/<int:pk>/pay/", views.CasePayView.as_view(), name="case_pay"),
    path("cases/<int:pk>/close/", views.CaseCloseView.as_view(), name="case_close"),
    path("cases/proofs/<int:pk>/", views.ServiceProofView.as_view(), name="case_proof"),
    path("cases/<int:pk>/paper.pdf", views.CasePaperView.as_view(), name="case_paper_pdf"),
    path("cases/<int:pk>/paper.docx", views.CaseWordPaperView.as_view(), name="case_paper_docx"),
    path("cases/<int:pk>/main-volume.pdf", views.CaseVolumeView.as_view(), name="case_volume_main"),
    path("cases/<int:pk>/secondary-volume.pdf", views.CaseSecondaryVolumeView.as_view(), name="case_volume_secondary"),
]
urlpatterns += [
    path("cases/<int:pk>/transfer/", views.TransferProposeView.as_view(), name="transfer_propose"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/letter.pdf", views.TransferLetterView.as_view(), name="transfer_letter"),
    path("transfers/<int:pk>/letter.docx", views.TransferLetterWordView.as_view(), name="transfer_letter_docx"),
    path("transfers/<int:pk>/send/", views.TransferSendView.as_view(), name="transfer_send"),
    path("transfers/<int:pk>/receipt/", views.TransferReceiptView.as_view(), name="transfer_receipt"),
    path("transfers/<int:pk>/decide/", views.TransferOrganDecideView.as_view(), name="transfer_decide"),
    path("transfers/<int:pk>/reconsider/", views.TransferReconsiderView.as_view(), name="transfer_reconsider"),
    path("transfers/<int:pk>/answer/", views.TransferReconsiderAnswerView.as_view(), name="transfer_answer"),
    path("transfers/<int:pk>/supervision/", views.TransferSupervisionView.as_view(), name="transfer_supervision"),
    path("incoming/", views.IncomingListView.as_view(), name="incoming_list"),
    path("incoming/new/", views.IncomingCreateView.as_view(), name="incoming_create"),
    path("incoming/<int:pk>/", views.IncomingDetailView.as_view(), name="incoming_detail"),
    path("incoming/files/<int:pk>/", views.IncomingDocumentView.as_view(), name="incoming_file"),
]
urlpatterns += [
    path("disputes/", views.MediationListView.as_view(), name="mediation_list"),
    path("disputes/new/", views.MediationCreateView.as_view(), name="mediation_create"),
]
