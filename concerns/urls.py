from django.urls import include, path

from concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.my_concerns, name="mine"),
    path("new/", views.new_concern, name="new"),
    path("drafts/save/", views.save_draft, name="draft_save"),
    path("people/", views.staff_search, name="staff_search"),
    path("drafts/<uuid:submission_key>/discard/", views.discard_draft, name="draft_discard"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/submitted/", views.submitted, name="submitted"),
    path("<int:pk>/print/", views.concern_print, name="print"),
    path("<int:pk>/addenda/", views.add_addendum, name="addendum_add"),
    # Information-sharing decisions on a concern (built with the consent records).
    path("", include("concerns.urls_sharing")),
]
