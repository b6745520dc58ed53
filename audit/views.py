from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def trail(request):
    return render(request, "placeholder.html", {"heading": "Audit trail"})
