from django.urls import path

from . import views, views_generation

app_name = "aprweb"
urlpatterns = [
    path("", views.AprLoginView.as_view(), name="login"),
    path("inicio/", views.home, name="home"),
    path("cadastro/", views.register, name="register"),
    path("senha/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("esqueci-senha/", views.password_reset, name="password_reset"),
    path("esqueci-senha/enviado/", views.password_reset_done, name="password_reset_done"),
    path("desbloquear/", views.unlock, name="unlock"),
    path("pedidos/", views.orders, name="orders"),
    path("pedidos/novo/", views.order_new, name="order_new"),
    path("pedidos/<int:pk>/", views.order_detail, name="order"),
    path("pedidos/<int:pk>/documentos/<str:kind>/", views.order_upload, name="order_upload"),
    path(
        "pedidos/<int:pk>/documentos/versoes/<int:version>/verificacao/",
        views.order_findings,
        name="order_findings",
    ),
    path("pedidos/<int:pk>/enviar/", views.order_submit, name="order_submit"),
    path("pedidos/<int:pk>/geracao/", views_generation.order_generation, name="order_generation"),
    path("reanalise/<str:protocol>/", views.reanalysis, name="reanalysis"),
]
