from django.urls import path

from staff import account_views, export_views, order_actions, views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("password/", account_views.password_change, name="password_change"),
    path("orders/", views.order_list, name="orders"),
    path("orders/export.csv", export_views.order_export, name="orders_export"),
    path("exports/<str:job_id>/", export_views.export_progress, name="export"),
    path("orders/<order_id:order_id>/", views.order_detail, name="order"),
    path("orders/<order_id:order_id>/refresh/", order_actions.order_refresh, name="order_refresh"),
    path("orders/<order_id:order_id>/cancel/", order_actions.order_cancel, name="order_cancel"),
    path(
        "orders/<order_id:order_id>/resend-confirmation/",
        order_actions.order_resend_confirmation,
        name="order_resend_confirmation",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/cancel/",
        order_actions.attempt_cancel,
        name="attempt_cancel",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/refund/",
        order_actions.attempt_refund,
        name="attempt_refund",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/handled/",
        order_actions.attempt_handled,
        name="attempt_handled",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/chargebacks/<str:chargeback_id>/handled/",
        order_actions.chargeback_handled,
        name="chargeback_handled",
    ),
    path("articles/", views.article_list, name="articles"),
    path("articles/add/", views.article_add, name="article_add"),
    path("articles/<slug:slug>/", views.article_edit, name="article_edit"),
]
