from django import forms


class CustomerForm(forms.Form):
    """The e-mail address a customer wrote from: their orders are found by it, exactly, any case.
    Posted, not in the URL: an address in a query string ends up in access logs."""

    email = forms.EmailField(label="Customer's e-mail address", max_length=254)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
