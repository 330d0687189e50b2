from django.urls import path

from . import views, views_request

app_name = "atende"
urlpatterns = [
    path("", views.service_search, name="search"),
    path("gd/", views.gd_service, name="gd"),
    path("gd/solicitar/", views_request.lookup, name="lookup"),
    path("gd/solicitar/instalacao/<str:number>/", views_request.new_request, name="new"),
    path(
        "gd/solicitar/ligacao-nova/<str:customer_number>/",
        views_request.new_without_installation,
        name="new_unit",
    ),
    path("gd/consulta/", views_request.lookup, {"mode": "consultation"}, name="consultation_lookup"),
    path(
        "gd/consulta/instalacao/<str:number>/",
        views_request.new_request,
        {"mode": "consultation"},
        name="consultation_new",
    ),
    path(
        "gd/consulta/cliente/<str:customer_number>/",
        views_request.new_without_installation,
        {"mode": "consultation"},
        name="consultation_customer",
    ),
    path("gd/rascunho/<int:pk>/", views_request.confirm_draft, name="draft"),
    path("gd/rascunho/<int:pk>/editar/", views_request.edit_draft, name="draft_edit"),
    path("servicos/", views.status_list, name="status"),
    path("servicos/<str:protocol>/", views.status_detail, name="status_detail"),
    path("servicos/<str:protocol>/comprovante/", views.receipt, name="receipt"),
    path("servicos/<str:protocol>/cancelar/", views.cancel, name="cancel"),
    path("servicos/<str:protocol>/responsavel-tecnico/revogar/", views.rt_revoke, name="rt_revoke"),
    path(
        "servicos/<str:protocol>/estudos-inversao-de-fluxo/",
        views.flow_studies_request,
        name="flow_studies_request",
    ),
    path("documentos/<int:pk>/", views.document_download, name="document"),
]
