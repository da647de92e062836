from django.urls import path

from config.lazy_views import lazy_view

app_name = "shop"

urlpatterns = [
    path("", lazy_view("shop.views.catalog.index"), name="index"),
    path("articles/<slug:slug>/", lazy_view("shop.views.catalog.article_detail"), name="article"),
    path("cart/", lazy_view("shop.views.cart.cart_detail"), name="cart"),
    path("cart/add/", lazy_view("shop.views.cart.cart_add"), name="cart_add"),
    path("cart/update/", lazy_view("shop.views.cart.cart_update"), name="cart_update"),
    path("checkout/", lazy_view("shop.views.checkout.checkout"), name="checkout"),
    path("orders/<order_id:order_id>/<str:token>/", lazy_view("shop.views.orders.order_detail"), name="order"),
    path("cart/country/", lazy_view("shop.views.shipping.cart_country"), name="cart_country"),
    path(
        "orders/<order_id:order_id>/<str:token>/status.json",
        lazy_view("shop.views.orders.order_status"),
        name="order_status",
    ),
    path("orders/<order_id:order_id>/<str:token>/pay/", lazy_view("shop.views.orders.order_pay"), name="order_pay"),
    path("pages/<slug:page>/", lazy_view("shop.views.shipping.legal_page"), name="legal"),
]
