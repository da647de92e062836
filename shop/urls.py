from django.urls import path

from shop import views

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
