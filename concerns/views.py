from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def my_concerns(request):
    return render(request, "placeholder.html", {"heading": "My concerns"})


@login_required
def new_concern(request):
    return render(request, "placeholder.html", {"heading": "New concern"})
