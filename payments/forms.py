from django import forms


class WebhookForm(forms.Form):
    # Mollie posts only `id`; everything else in the body is ignored.
    id = forms.CharField(max_length=100)
