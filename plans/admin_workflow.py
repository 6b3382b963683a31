"""The plan page's review-workflow buttons (issue #13, item 3): no edit is lost, and the steps
that change what the public sees ask first.

A button pressed with the page's form (an editor's "Submit for review" under a typed vision)
saves the edits first, through the same save as "Save"; if they do not validate, the page comes
back with its errors and the edits in place, and the step is not taken. Publish, return and
archive then show a confirmation page saying what the public will see change; the step is
taken from there, guarded by the plan's version (a plan changed meanwhile is refused).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from crp_portal.concurrency import VersionConflict
from funding.selectors_shown import stored_figures

from . import services_workflow as workflow

CONFIRMED_STEPS = ("publish", "return", "archive", "withdraw")
# Steps whose confirmation asks for a comment (the service refuses them without one).
COMMENT_REQUIRED = ("return", "withdraw")


def public_change(*, name: str, plan) -> list[str]:
    """What the public will see change if `name` is done to `plan`, in words."""
    url = reverse("plans:detail", args=[plan.slug])
    fig = stored_figures(plan)
    figures = (
        _("required %(required)s USD, received %(received)s USD")
        % {"required": f"{fig.required:,.0f}", "received": f"{fig.received:,.0f}"}
        if fig.required is not None
        else _("not yet costed, received %(received)s USD") % {"received": f"{fig.received:,.0f}"}
    )
    if name == "publish":
        return [
            _("The plan becomes public at %(url)s, in the plan list and its feeds.") % {"url": url},
            _("Its figures (%(figures)s) join the funding dashboard and the API's totals.")
            % {"figures": figures},
            _("Partners' systems pick it up at their next sync."),
        ]
    if name == "archive":
        return [
            _("The plan stays public at %(url)s, marked “Archived”, and moves to Past plans.")
            % {"url": url},
            _("Its figures (%(figures)s) still count for the years it covered.")
            % {"figures": figures},
            _("Its content and funding become read-only until it is un-archived."),
        ]
    if name == "withdraw":
        return [
            _("The plan leaves public view: %(url)s will answer “not found”.") % {"url": url},
            _("Its figures (%(figures)s) leave the funding dashboard and the API's totals.")
            % {"figures": figures},
            _("Partners' systems see it in the deletions feed at their next sync."),
        ]
    return [_("Nothing public changes: the plan is not public. Its editors get it back.")]


class WorkflowAdminMixin:
    """For PlanAdmin: the buttons of the "Review and publishing" box on the plan page."""

    def get_urls(self):
        step = path(
            "<path:object_id>/step/<str:name>/",
            self.admin_site.admin_view(self.step_confirm_view),
            name="plans_plan_step",
        )
        return [step, *super().get_urls()]

    def workflow_context(self, request, plan) -> dict:
        return {
            "workflow_actions": [
                (name, workflow.TRANSITIONS[name][1])
                for name in workflow.plan_transitions_allowed(plan=plan, user=request.user)
            ],
            "transitions": plan.transitions.select_related("actor"),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and "_transition" in request.POST:
            if "loaded_version" not in request.POST:  # the button alone (a reviewer's page)
                return self.transition_view(request, object_id)
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):  # the edits did not validate: kept
                messages.error(
                    request,
                    _(
                        "The step was not taken: correct the errors below first. Your edits "
                        "are still on the page."
                    ),
                )
            return response
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        """After a save: the step whose button was pressed, or ask first."""
        name = request.POST.get("_transition")
        if not name:
            return super().response_change(request, obj)
        if name in CONFIRMED_STEPS:
            messages.info(request, _("Your edits are saved."))
            url = reverse("admin:plans_plan_step", args=[obj.pk, name])
            return HttpResponseRedirect(url)
        return self._take_step(request, obj, name)

    def step_confirm_view(self, request, object_id, name):
        """The confirmation of a step in CONFIRMED_STEPS: what the public will see change."""
        plan = self.get_object(request, unquote(object_id))
        if plan is None or name not in CONFIRMED_STEPS:
            raise Http404
        workflow.plan_transition_check_permitted(name=name, plan=plan, actor=request.user)
        if name not in workflow.plan_transitions_allowed(plan=plan, user=request.user):
            messages.error(request, _("This step is not open to you on this plan now."))
            return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "title": workflow.TRANSITIONS[name][1],
            "name": name,
            "changes": public_change(name=name, plan=plan),
            "comment_required": name in COMMENT_REQUIRED,
            "comment": request.POST.get("_transition_comment", ""),
        }
        return TemplateResponse(request, "admin/plans/plan/step_confirm.html", context)

    def transition_view(self, request, object_id):
        """A button without the page's form: the steps in CONFIRMED_STEPS are confirmed first."""
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            raise Http404
        name = request.POST.get("_transition", "")
        if name in CONFIRMED_STEPS and not request.POST.get("_confirmed"):
            return self.step_confirm_view(request, object_id, name)
        return self._take_step(request, plan, name)

    def _take_step(self, request, plan, name: str):
        if name not in workflow.TRANSITIONS:
            messages.error(request, _("Unknown step."))
            return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        version = request.POST.get("_plan_version", "")
        try:
            plan = workflow.plan_transition(
                name=name,
                plan=plan,
                actor=request.user,
                comment=request.POST.get("_transition_comment", ""),
                expected_version=int(version) if version.isdigit() else None,
            )
        except VersionConflict:
            messages.error(
                request,
                _("The plan changed since you opened this page; look at it again, then decide."),
            )
        except ValidationError as error:  # PermissionDenied propagates: a 403
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(plan)s is now %(status)s.")
                % {"plan": plan, "status": plan.get_status_display().lower()},
            )
        return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
