from django.urls import path, register_converter

from payments.converters import OrderIdConverter
from shop import views

register_converter(OrderIdConverter, "order_id")

app_name = "shop"

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<order_id:order_id>/<str:token>/", views.order_detail, name="order"),
    path("orders/<order_id:order_id>/<str:token>/status.json", views.order_status, name="order_status"),
    path("orders/<order_id:order_id>/<str:token>/pay/", views.order_pay, name="order_pay"),
]
