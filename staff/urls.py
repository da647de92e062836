from django.urls import path

from config.lazy_views import lazy_view

app_name = "staff"

urlpatterns = [
    path("", lazy_view("staff.views.dashboard.dashboard"), name="dashboard"),
    path("login/", lazy_view("staff.views.accounts.login"), name="login"),
    path("logout/", lazy_view("staff.views.accounts.logout"), name="logout"),
    path("password/", lazy_view("staff.views.accounts.password_change"), name="password_change"),
    path("orders/", lazy_view("staff.views.orders.order_list"), name="orders"),
    path("orders/export.csv", lazy_view("staff.views.exports.order_export"), name="orders_export"),
    path("exports/<str:job_id>/", lazy_view("staff.views.exports.export_progress"), name="export"),
    path("orders/<order_id:order_id>/", lazy_view("staff.views.orders.order_detail"), name="order"),
    path(
        "orders/<order_id:order_id>/refresh/",
        lazy_view("staff.views.order_actions.order_refresh"),
        name="order_refresh",
    ),
    path(
        "orders/<order_id:order_id>/cancel/", lazy_view("staff.views.order_actions.order_cancel"), name="order_cancel"
    ),
    path(
        "orders/<order_id:order_id>/release-rest/",
        lazy_view("staff.views.order_actions.order_release_rest"),
        name="order_release_rest",
    ),
    path(
        "orders/<order_id:order_id>/resend-confirmation/",
        lazy_view("staff.views.order_actions.order_resend_confirmation"),
        name="order_resend_confirmation",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/cancel/",
        lazy_view("staff.views.order_actions.attempt_cancel"),
        name="attempt_cancel",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/refund/",
        lazy_view("staff.views.order_actions.attempt_refund"),
        name="attempt_refund",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/handled/",
        lazy_view("staff.views.order_actions.attempt_handled"),
        name="attempt_handled",
    ),
    path(
        "orders/<order_id:order_id>/payments/<int:attempt_no>/chargebacks/<str:chargeback_id>/handled/",
        lazy_view("staff.views.order_actions.chargeback_handled"),
        name="chargeback_handled",
    ),
    path("customers/", lazy_view("staff.views.customers.customer"), name="customer"),
    path("customers/export/", lazy_view("staff.views.customers.customer_export"), name="customer_export"),
    path("customers/erase/", lazy_view("staff.views.customers.customer_erase"), name="customer_erase"),
    path("to-ship/", lazy_view("staff.views.shipping.to_ship"), name="to_ship"),
    path(
        "orders/<order_id:order_id>/shipments/<int:shipment_no>/capture/",
        lazy_view("staff.views.shipping.capture_again"),
        name="capture_again",
    ),
    path(
        "orders/<order_id:order_id>/packing-slip/", lazy_view("staff.views.shipping.packing_slip"), name="packing_slip"
    ),
    path("shipping-zones/", lazy_view("staff.views.shipping.zones"), name="zones"),
    path("articles/", lazy_view("staff.views.articles.article_list"), name="articles"),
    path("articles/add/", lazy_view("staff.views.articles.article_add"), name="article_add"),
    path("articles/<slug:slug>/", lazy_view("staff.views.articles.article_edit"), name="article_edit"),
]
