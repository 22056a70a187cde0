"""Every refusal a user can get: a machine-readable code, an HTTP status, a message.

Services raise ``Refused(code, **params)``; the web and API layers turn it into a
translated page or a JSON body ``{"error": {"code", "message", ...params}}``.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext_noop
    """Mark a message for translation where it is defined; it is translated when shown."""
    return message


# code: (HTTP status, message)
MESSAGES: dict[str, tuple[int, str]] = {
    "lesson_not_found": (404, N_("No lesson has this join code. Check the code on the board.")),
    "lesson_archived": (403, N_("This lesson is archived and no longer takes logins.")),
    "team_number_invalid": (422, N_("Type your team number (a whole number, like 3).")),
    "login_failed": (
        401,
        N_("This team number and PIN do not match. Check your slip and try again."),
    ),
    "too_many_attempts": (
        429,
        N_("Too many wrong tries for this team. Wait %(seconds)s seconds, then try again."),
    ),
    "instructor_login_required": (401, N_("Log in as the instructor first.")),
    "instructor_only": (
        403,
        N_("This page is for the instructor. Teams play from their own pages."),
    ),
    "instructor_password_wrong": (401, N_("Wrong instructor password.")),
    "instructor_password_too_short": (
        422,
        N_("The instructor password needs at least %(length)s characters."),
    ),
    "level_move_refused": (
        409,
        N_(
            "That cannot be done to this level now: a level goes draft → open → closed → "
            "revealed, and from closed it can be opened again."
        ),
    ),
    "name_required": (422, N_("Type a name.")),
    "name_too_long": (422, N_("The name is too long: at most %(limit)s characters.")),
    "text_too_long": (422, N_("Too long: at most %(limit)s characters.")),
    "confirmation_mismatch": (
        422,
        N_("Type the lesson's name exactly to confirm; nothing was deleted."),
    ),
    "team_count_invalid": (422, N_("Type how many teams to add: from 1 to %(limit)s.")),
    "team_not_found": (404, N_("There is no such team in this lesson.")),
    "registration_closed": (
        403,
        N_("This lesson does not take new teams here: ask the instructor for a slip."),
    ),
    "lesson_full": (409, N_("This lesson already has its %(limit)s teams: ask the instructor.")),
    "team_name_taken": (
        409,
        N_("A team already has this name. If it is yours, log in with its number and PIN."),
    ),
    "team_cap_below_teams": (
        422,
        N_("This lesson already has %(count)s teams: the cap cannot be lower than that."),
    ),
    "announce_draft": (
        409,
        N_("A draft level is hidden from the projector: open it before announcing it."),
    ),
    "lesson_archived_moves": (
        409,
        N_("This lesson is archived: bring it back before opening its levels."),
    ),
    "field_number": (422, N_("Type a number, like 2.5 or -10.")),
    "field_whole_number": (422, N_("Type a whole number from %(low)s to %(high)s.")),
    "field_range": (422, N_("Type a number from %(low)s to %(high)s.")),
    "password_blank": (
        422,
        N_("A password of only spaces cannot be said aloud: type a word or leave it empty."),
    ),
    "freeze_needs_time_limit": (
        422,
        N_("Frozen standings need a time limit: they freeze for its last seconds."),
    ),
    "level_has_guesses": (
        409,
        N_(
            "Teams have guessed on this level, so its function, domain, mode, start and "
            "variants stay as they are. Duplicate the lesson to change them."
        ),
    ),
    "lesson_file_not_json": (422, N_("This file is not a lesson file: it is not JSON.")),
    "lesson_file_not_lesson": (
        422,
        N_("This JSON file is not a Downhill lesson file (its format is not downhill-lesson)."),
    ),
    "lesson_file_version": (
        422,
        N_("This lesson file has version %(version)s; this Downhill reads version %(supported)s."),
    ),
    "lesson_file_field": (422, N_("In %(field)s: %(problem)s")),
    "lesson_file_no_levels": (422, N_("A lesson file needs a list of at least one level.")),
    "lesson_file_too_many": (422, N_("At most %(limit)s levels.")),
    "lesson_file_not_object": (422, N_("Each level must be an object of settings.")),
    "lesson_file_unknown_field": (422, N_("This setting is not known; nothing was imported.")),
    "lesson_file_missing_field": (422, N_("This setting is missing.")),
    "lesson_file_missing": (422, N_("Choose a lesson file to import.")),
    "not_logged_in": (401, N_("Log in with your team number and PIN first.")),
    "level_not_found": (404, N_("There is no such level in your lesson.")),
    "token_invalid": (
        401,
        N_(
            "This API token is not valid. Send it in the header “Authorization: Bearer dh_…”, "
            "copied whole from the instructor’s sheet."
        ),
    ),
    "token_revoked": (401, N_("This API token was revoked. Ask the instructor for a new one.")),
    "tokens_need_teams": (422, N_("Add teams first: each team gets its own API token.")),
    "lesson_archived_tokens": (409, N_("This lesson is archived: it gives no API tokens.")),
    "level_not_open": (403, N_("This level is not open yet. Wait for the instructor.")),
    "reveal_not_yet": (
        403,
        N_("This level is not revealed yet: the curve comes when the instructor shows it."),
    ),
    "level_closed": (409, N_("This level is closed: no more guesses.")),
    "level_not_entered": (403, N_("Enter this level with its password first.")),
    "password_wrong": (403, N_("Wrong level password. Listen for it in class and try again.")),
    "x_missing": (422, N_("Type a number for x.")),
    "x_not_number": (422, N_("x must be a finite number, like 2.5 or -0.75.")),
    "x_outside_domain": (422, N_("x must be between %(x_min)s and %(x_max)s.")),
    "y_missing": (422, N_("This level has two parameters: type a number for y as well.")),
    "y_not_number": (422, N_("y must be a finite number, like 2.5 or -0.75.")),
    "y_outside_domain": (422, N_("y must be between %(y_min)s and %(y_max)s.")),
    "no_y_here": (422, N_("This level has one parameter: send x alone, without y.")),
    "not_finite_at_point": (
        422,
        N_("f or its gradient is not defined at this point. Try another one."),
    ),
    "cooldown": (429, N_("Too soon: your next guess is allowed in %(seconds)s seconds.")),
    "budget_used_up": (409, N_("Your team has used all its guesses on this level.")),
    "not_finite_here": (422, N_("f or its slope is not defined at this x. Try another x.")),
    "choose_x": (422, N_("On this level your team chooses x, not a learning rate.")),
    "choose_eta": (422, N_("On this level your team chooses a learning rate η, not x.")),
    "choose_eta_beta": (
        422,
        N_("On this level your team chooses a learning rate η and a momentum β, not x."),
    ),
    "eta_missing": (422, N_("Type a learning rate η, like 0.1.")),
    "eta_not_a_number": (422, N_("The learning rate η must be a finite number, like 0.1.")),
    "eta_out_of_bounds": (
        422,
        N_("The learning rate η must be above 0 and at most %(high)s on this level."),
    ),
    "beta_missing": (422, N_("Type a momentum β, like 0.9.")),
    "beta_not_a_number": (422, N_("The momentum β must be a finite number, like 0.9.")),
    "beta_out_of_bounds": (
        422,
        N_("The momentum β must be from 0 to %(high)s on this level."),
    ),
    "step_lands_where_f_undefined": (
        422,
        N_("This step lands where f is not defined. Try another learning rate."),
    ),
    "idempotency_key_invalid": (
        422,
        N_("This request has no valid idempotency key; reload the page."),
    ),
    "idempotency_key_reused": (
        409,
        N_("This request reuses the key of an earlier guess with another x; reload the page."),
    ),
    "invalid_request": (
        422,
        N_("This request is missing fields or has fields it should not have."),
    ),
    "body_too_large": (413, N_("This request is too large.")),
    "csrf_failed": (
        403,
        N_("This form has expired or came from another site. Reload the page and try again."),
    ),
    "standings_hidden": (
        403,
        N_("The instructor has hidden the standings of this level until it closes."),
    ),
    "not_found": (404, N_("There is nothing at this address.")),
    "method_not_allowed": (405, N_("This address does not take this kind of request.")),
    "expression_empty": (422, N_("Type a function of x, like (x - 2)^2 + 1.")),
    "expression_too_long": (422, N_("The function is too long: at most %(limit)s characters.")),
    "expression_syntax": (
        422,
        N_("The function cannot be read here: check the brackets and operators."),
    ),
    "expression_too_deep": (
        422,
        N_("The function is nested too deeply (at most %(limit)s levels)."),
    ),
    "expression_operator": (422, N_("Only + - * / and ^ (or **) are allowed here.")),
    "expression_not_allowed": (422, N_("Not allowed in a function: %(what)s.")),
    "expression_number_too_large": (422, N_("This number is too large to be used.")),
    "expression_unknown_name": (422, N_("Unknown name %(name)s: use x, pi or e.")),
    "expression_unknown_function": (
        422,
        N_("Unknown function %(name)s: use sin, cos, tan, exp, log, sqrt, abs, tanh or sigmoid."),
    ),
    "expression_function_needs_argument": (
        422,
        N_("%(name)s needs an argument in brackets, like %(name)s(x)."),
    ),
    "expression_arguments": (422, N_("%(name)s takes exactly one argument.")),
    "expression_power_too_large": (422, N_("This power would be too large to compute.")),
    "expression_not_finite": (
        422,
        N_("The function is not a finite number at x = %(x)s, inside the domain."),
    ),
    "expression_constant_undefined": (
        422,
        N_("A constant part of the function is undefined, like 1/0, log(0) or sqrt(-1)."),
    ),
    "expression_not_finite_at": (
        422,
        N_("The function is not a finite number at (%(x)s, %(y)s), inside the rectangle."),
    ),
    "y_range_needed": (
        422,
        N_("This function uses y: give the level a y range to make it a two-parameter level."),
    ),
    "y_range_both": (422, N_("Give both ends of the y range, or leave both empty.")),
    "batch_not_here": (
        422,
        N_("This level offers no choice of batch size: leave the batch out."),
    ),
    "batch_outside": (
        422,
        N_("The batch size must be a whole number from 1 to %(high)s on this level."),
    ),
    "batch_needs_noise": (
        422,
        N_("A choice of batch size needs noisy slopes: give the noise a size too."),
    ),
    "prediction_over": (
        409,
        N_("The level is revealed: predictions are over. See who was right on the reveal."),
    ),
    "prediction_not_yet": (
        409,
        N_("Predictions start once the level is closed."),
    ),
    "prediction_not_asked": (
        409,
        N_("The instructor has not asked for predictions on this level."),
    ),
    "prediction_choice_unknown": (
        422,
        N_("Choose one of this level's algorithms: %(choices)s."),
    ),
    "prediction_one_player": (
        422,
        N_("A learning-rate level has one algorithm only: there is nothing to predict."),
    ),
    "fit_needs_rectangle": (
        422,
        N_("A model has two parameters, a as x and b as y: give the level a y range too."),
    ),
    "fit_needed_for_data": (
        422,
        N_("Data is only used by a model: choose one, or leave the data empty."),
    ),
    "data_empty": (422, N_("Paste the data: one point u, v a line.")),
    "data_too_large": (
        422,
        N_("Too many points: %(count)s, at most %(limit)s."),
    ),
    "data_ragged": (
        422,
        N_("Line %(line)s has %(count)s values: each line needs two, u and v."),
    ),
    "data_not_numbers": (
        422,
        N_("Line %(line)s is not two numbers, like 1.5, 3."),
    ),
    "data_classes": (
        422,
        N_("Point %(point)s: a neuron's data needs v as 0 or 1, the class of the point."),
    ),
    "data_loss_not_finite": (
        422,
        N_("The loss over this data is too large to compute: scale the data down."),
    ),
    "fit_c_zero": (
        422,
        N_("With c = 0 the neuron's output is d whatever a and b: choose another c."),
    ),
    "start_y_without_range": (
        422,
        N_("A start along y needs a y range: give one, or leave the start along y empty."),
    ),
    "variants_one_variable": (
        422,
        N_("Per-team variants are for levels of one variable: leave them blank here."),
    ),
    "domain_invalid": (422, N_("The domain needs two finite numbers, the first smaller.")),
    "variant_shift_undefined": (
        422,
        N_(
            "Teams’ copies of f are moved this far, so f must be defined from %(low)s to "
            "%(high)s, and it is not. Choose a smaller shift."
        ),
    ),
    "start_undefined": (
        422,
        N_("f or its slope is not defined at this start, so no step could leave it. Move it."),
    ),
    "start_outside_domain": (422, N_("The start must lie in the domain, %(x_min)s to %(x_max)s.")),
    "unavailable": (503, N_("The game is busy for a moment. Try again in a few seconds.")),
}


class Refused(Exception):
    """A request the game refuses; nothing was changed."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message for refusal code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        """The HTTP status for this refusal."""
        return MESSAGES[self.code][0]

    @property
    def message_id(self) -> str:
        """The untranslated message (a gettext msgid with %(name)s placeholders)."""
        return MESSAGES[self.code][1]
