from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wiesci.accounts.forms import DeleteAccountForm
from wiesci.accounts.services import delete_account


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """ "Moje konto": where a reader changes the address, the password, or leaves."""
    return render(request, "accounts/account.html")


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    """Delete one's own account after confirming it is really its owner."""
    form = DeleteAccountForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user, by=user)  # type: ignore[arg-type]
        messages.success(request, _("Your account has been deleted."))
        return redirect("articles:home")
    return render(request, "accounts/delete.html", {"form": form})
