"""The local SMTP sink's mailbox (``manage.py smtp_sink``): administrators, development runs only.

The whole app is installed only when ``DEVTOOLS_ENABLED`` is on (by default, when DEBUG is),
so in production these URLs do not exist at all.
"""

from email import message_from_bytes, policy
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.roles import Role


def _mail_files() -> list[Path]:
    folder = Path(settings.DEV_MAIL_DIR)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), key=lambda p: p.name, reverse=True)


@role_required(Role.ADMINISTRATOR)
@require_GET
def mail_list(request):
    # Not "messages": that name is the flash messages' (django.contrib.messages), which the
    # layout prints at the top of every page.
    mails = []
    for path in _mail_files()[:200]:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        mails.append(
            {
                "name": path.stem,
                "subject": parsed["Subject"],
                "to": parsed["To"],
                "date": parsed["Date"],
                "message_id": parsed["Message-ID"],
            }
        )
    return render(request, "devtools/mail_list.html", {"mails": mails})


@role_required(Role.ADMINISTRATOR)
@require_GET
def mail_message(request, name: str):
    path = Path(settings.DEV_MAIL_DIR) / f"{name}.eml"
    if "/" in name or not path.is_file():
        raise Http404("No such message.")
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    return render(
        request,
        "devtools/mail_message.html",
        {
            "name": name,
            "headers": [(k, parsed[k]) for k in ("From", "To", "Subject", "Date", "Message-ID") if parsed[k]],
            "body": body.get_content() if body else "",
        },
    )
