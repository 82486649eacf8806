"""An order's feedback page: the buyer rates it and opens disputes with a photo; the producer
answers; the buyer closes them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import RadioField, TextAreaField
from wtforms.validators import Optional

from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import feedback, orders
from freshcircle.platform.web.downloads import stored_file_response
from freshcircle.platform.web.forms import Form, at_most, options, required
from freshcircle.platform.web.pages import actor, max_file_bytes

bp = Blueprint("feedback_pages", __name__, url_prefix="/feedback")

STARS = [(str(n), "★" * n) for n in range(5, 0, -1)]


class RatingForm(Form):
    stars = RadioField(_l("Quality"), choices=options(STARS), validators=[required()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), at_most(500)])


class DisputeForm(Form):
    text = TextAreaField(_l("What is wrong?"), validators=[required(), at_most(2000)])
    photo = FileField(_l("Photo (optional)"))


class ReplyForm(Form):
    reply = TextAreaField(_l("Your answer"), validators=[required(), at_most(2000)])


def _reply_form(dispute_id: int, formdata=...) -> ReplyForm:
    """Each dispute's answer form has its own field names, so ids stay unique on the page."""
    if formdata is ...:
        return ReplyForm(prefix=f"d{dispute_id}")
    return ReplyForm(formdata=formdata, prefix=f"d{dispute_id}")


@bp.app_template_global("producer_rating")
def producer_rating(producer_id: int) -> Markup:
    """The producer's stars for its public card: `{{ producer_rating(listing.producer_id) }}`."""
    summary = feedback.rating_summary(db.session, producer_id)
    return Markup(render_template("market/feedback/_producer_rating.html", summary=summary))


def _page(order_id: int, status: int = 200, **forms):
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    rating = feedback.rating_for(db.session, order)
    rating_form = forms.get("rating_form") or RatingForm(formdata=None, obj=rating)
    if rating is not None and "rating_form" not in forms:
        rating_form.stars.data = str(rating.stars)
    disputes = feedback.disputes_for(db.session, order)
    given = forms.get("reply_forms") or {}
    context = {
        "order": order, "rating": rating, "rating_form": rating_form,
        "dispute_form": forms.get("dispute_form") or DisputeForm(formdata=None),
        "reply_forms": {d.id: given.get(d.id) or _reply_form(d.id, None) for d in disputes},
        "disputes": disputes,
        "is_buyer": order.buyer_id == user.id,
        "can_reply": feedback.can_reply(db.session, user, order),
        "delivered": order.status in feedback.AFTER_DELIVERY,
        "totals": orders.totals(order),
        "summary": feedback.rating_summary(db.session, order.producer_id),
    }
    return render_template("market/feedback/order.html", **context), status


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    return _page(order_id)


def _show(error: DomainError, form) -> None:
    """Put a service refusal on the form that caused it (403/404 become their error pages)."""
    if error.status_code in (403, 404):
        raise error
    db.session.rollback()
    for name, messages in (error.errors or {}).items():
        field = form._fields.get(name)
        if field is not None and isinstance(messages, list):
            field.errors = [*field.errors, *(str(m) for m in messages)]
    if not error.errors:
        form.form_errors.append(str(error.message))


def _fail(order_id: int, error: DomainError, form, **page_forms):
    _show(error, form)
    return _page(order_id, error.status_code, **page_forms)


@bp.post("/orders/<int:order_id>/rating")
@login_required
def rate(order_id: int):
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    form = RatingForm()
    if not form.validate_on_submit():
        return _page(order_id, 422, rating_form=form)
    try:
        feedback.rate(db.session, user, order, form.stars.data, form.comment.data)
    except DomainError as error:
        return _fail(order_id, error, form, rating_form=form)
    flash(_("Thank you: your rating is saved."), "success")
    return redirect(url_for("feedback_pages.order", order_id=order_id, _anchor="rating"))


@bp.post("/orders/<int:order_id>/disputes")
@login_required
def open_dispute(order_id: int):
    user = actor()
    order = orders.get_order(db.session, user, order_id)
    form = DisputeForm()
    if not form.validate_on_submit():
        _photo_again(form)
        return _page(order_id, 422, dispute_form=form)
    upload = form.photo.data
    photo = None
    if upload is not None and getattr(upload, "filename", ""):
        photo = (upload.filename, upload.read(max_file_bytes() + 1))
    try:
        dispute = feedback.open_dispute(db.session, user, order, form.text.data, photo=photo,
                                        max_bytes=max_file_bytes())
    except DomainError as error:
        _show(error, form)
        _photo_again(form)
        return _page(order_id, error.status_code, dispute_form=form)
    flash(_("Your dispute is sent to the producer."), "success")
    return redirect(url_for("feedback_pages.order", order_id=order_id,
                            _anchor=f"dispute-{dispute.id}"))


def _photo_again(form: DisputeForm) -> None:
    """A browser cannot keep a chosen file across a refused form: say so."""
    if form.photo.data and getattr(form.photo.data, "filename", "") and not form.photo.errors:
        form.photo.errors = [*form.photo.errors, _("Choose the photo again, please.")]


@bp.post("/disputes/<int:dispute_id>/reply")
@login_required
def reply(dispute_id: int):
    user = actor()
    dispute = feedback.get_dispute(db.session, user, dispute_id)
    form = _reply_form(dispute.id)
    if not form.validate_on_submit():
        return _page(dispute.order_id, 422, reply_forms={dispute.id: form})
    try:
        feedback.reply(db.session, user, dispute, form.reply.data)
    except DomainError as error:
        return _fail(dispute.order_id, error, form, reply_forms={dispute.id: form})
    flash(_("Your answer is sent to the buyer."), "success")
    return redirect(url_for("feedback_pages.order", order_id=dispute.order_id,
                            _anchor=f"dispute-{dispute.id}"))


@bp.post("/disputes/<int:dispute_id>/close")
@login_required
def close(dispute_id: int):
    user = actor()
    dispute = feedback.get_dispute(db.session, user, dispute_id)
    if Form().validate_on_submit():
        try:
            feedback.close(db.session, user, dispute)
        except DomainError as error:
            if error.status_code in (403, 404):
                raise
            flash(str(error.message), "error")
        else:
            flash(_("The dispute is closed."), "success")
    return redirect(url_for("feedback_pages.order", order_id=dispute.order_id,
                            _anchor=f"dispute-{dispute.id}"))


@bp.get("/disputes/<int:dispute_id>/photo")
@login_required
def photo(dispute_id: int):
    stored = feedback.dispute_photo(db.session, actor(), dispute_id)
    return stored_file_response(stored, as_attachment=False, cache_control="private, max-age=0")
