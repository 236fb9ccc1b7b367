from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.accounts import export
from wiesci.accounts.access import acting_user
from wiesci.accounts.forms import DeleteAccountForm, RenameForm
from wiesci.accounts.services import delete_account, rename_reader


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """ "Moje konto": where a reader renames themselves, changes the address
    or the password, takes their data, or leaves."""
    reader = acting_user(request)
    form = RenameForm(
        request.POST or None, initial={"display_name": reader.display_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            rename_reader(reader, by=reader, name=form.cleaned_data["display_name"])
        except ValidationError as refusal:
            form.add_error("display_name", refusal)
        else:
            messages.success(request, _("Your name has been changed."))
            return redirect("accounts:account")
    status = 400 if form.errors else 200
    return render(request, "accounts/account.html", {"form": form}, status=status)


@login_required
def download(request: HttpRequest) -> HttpResponse:
    """The reader's data as a JSON file (GDPR Article 20)."""
    reader = acting_user(request)
    response = HttpResponse(
        export.export_json(reader), content_type="application/json; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="moje-dane-{day}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


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
