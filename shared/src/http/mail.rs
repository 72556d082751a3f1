//! `/api/mail/…` and `/api/me/notifications/`: the email channel's settings, what was sent and
//! received, held mail, and each agent's own notifications.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, QueryParams, admins_only, positive_id, staff_only},
    route_with_and_without_slash,
};
use crate::{
    domain::{
        InboundMail, InboundStatus, MailSettings, MailSettingsRequest, MailSettingsView,
        OutboxEntry, OutboxStatus, is_reply_token,
    },
    repository,
};

/// How many rows a list answers with: the newest.
const LIST_LIMIT: i64 = 100;

pub fn router() -> Router<ApiContext> {
    let routes: [(&str, axum::routing::MethodRouter<ApiContext>); 8] = [
        ("/api/mail/settings", get(get_settings).put(put_settings)),
        ("/api/mail/outbox", get(list_outbox)),
        ("/api/mail/outbox/{id}/retry", post(retry_mail)),
        ("/api/mail/inbound", get(list_inbound)),
        ("/api/mail/inbound/{id}/accept", post(accept_held)),
        ("/api/mail/inbound/{id}/discard", post(discard_held)),
        ("/api/mail/unsubscribe", post(unsubscribe)),
        (
            "/api/me/notifications",
            put(put_notifications).get(get_notifications),
        ),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, method)| {
            route_with_and_without_slash(router, path, method)
        })
}

/// The support address, the sender name, how mail leaves, and the outbox's backlog (admins).
#[utoipa::path(
    get, path = "/api/mail/settings/", tag = "mail", security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = MailSettingsView),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn get_settings(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<MailSettingsView>, ApiError> {
    admins_only(&caller, "see the mail settings")?;
    Ok(Json(settings_view(&ctx).await?))
}

/// Set the support address (null stops queuing mail) and the sender name (admins).
#[utoipa::path(
    put, path = "/api/mail/settings/", tag = "mail", security(("bearer" = [])),
    request_body(content = MailSettingsRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new settings", body = MailSettingsView),
        (status = 400, description = "An invalid address or name", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn put_settings(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody,
) -> Result<Json<MailSettingsView>, ApiError> {
    admins_only(&caller, "change the mail settings")?;
    let settings = MailSettings::parse(&body).map_err(ApiError::Validation)?;
    repository::set_mail_settings(&ctx.db, &settings).await?;
    Ok(Json(settings_view(&ctx).await?))
}

async fn settings_view(ctx: &ApiContext) -> Result<MailSettingsView, ApiError> {
    let settings = repository::mail_settings(&ctx.db).await?;
    let (queued, failed) = repository::outbox_counts(&ctx.db).await?;
    Ok(MailSettingsView {
        reply_address_example: settings
            .support_address
            .as_ref()
            .map(|address| address.reply_address("<token>")),
        support_address: settings.support_address.map(|address| address.to_string()),
        sender_name: settings.sender_name,
        transport: ctx.mail_transport,
        queued,
        failed,
    })
}

/// The newest mails in a state (admins): `failed` (default), `queued` (with those being sent)
/// or `sent`.
#[utoipa::path(
    get, path = "/api/mail/outbox/", tag = "mail", security(("bearer" = [])),
    params(("status" = Option<OutboxStatus>, Query, description = "failed (default), queued or sent")),
    responses(
        (status = 200, description = "At most 100 mails, newest first", body = [OutboxEntry]),
        (status = 400, description = "An unknown status", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_outbox(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    query: QueryParams,
) -> Result<Json<Vec<OutboxEntry>>, ApiError> {
    admins_only(&caller, "see the outbox")?;
    let status = status_param(&query, OutboxStatus::Failed)?;
    Ok(Json(
        repository::list_outbox(&ctx.db, status, LIST_LIMIT).await?,
    ))
}

/// Queue a failed mail again, from its first attempt (admins).
#[utoipa::path(
    post, path = "/api/mail/outbox/{id}/retry/", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The mail")),
    responses(
        (status = 200, description = "The mail, queued", body = OutboxEntry),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mail", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The mail has not failed", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn retry_mail(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<OutboxEntry>, ApiError> {
    admins_only(&caller, "retry mail")?;
    let id = positive_id(&id).ok_or_else(|| no_such("mail"))?;
    match repository::retry_failed_mail(&ctx.db, id).await? {
        Some(mail) => Ok(Json(mail)),
        None if repository::outbox_mail_exists(&ctx.db, id).await? => Err(ApiError::Conflict(
            "Only a failed mail can be retried; this one is queued or sent.".to_owned(),
        )),
        None => Err(no_such("mail")),
    }
}

/// The newest received mails in a state (agents and admins): `held` (default), `accepted`
/// (with released ones), `ignored`, `rejected` or `discarded`.
#[utoipa::path(
    get, path = "/api/mail/inbound/", tag = "mail", security(("bearer" = [])),
    params(("status" = Option<InboundStatus>, Query, description = "held (default), accepted, ignored, rejected, released or discarded")),
    responses(
        (status = 200, description = "At most 100 mails, newest first", body = [InboundMail]),
        (status = 400, description = "An unknown status", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A requester", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_inbound(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    query: QueryParams,
) -> Result<Json<Vec<InboundMail>>, ApiError> {
    staff_only(&caller, "see received mail")?;
    let status = status_param(&query, InboundStatus::Held)?;
    Ok(Json(
        repository::list_inbound(&ctx.db, status, LIST_LIMIT).await?,
    ))
}

/// Accept a held mail as if its sender were verified: the ticket or reply it would have made
/// (agents and admins).
#[utoipa::path(
    post, path = "/api/mail/inbound/{id}/accept/", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The held mail")),
    responses(
        (status = 200, description = "The mail, released, with its ticket", body = InboundMail),
        (status = 403, description = "A requester", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mail", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The mail is not held", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn accept_held(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<InboundMail>, ApiError> {
    staff_only(&caller, "accept held mail")?;
    let id = positive_id(&id).ok_or_else(|| no_such("received mail"))?;
    let receipt = ctx.inbox.release(id).await.map_err(inbox_error)?;
    let Some(receipt) = receipt else {
        return Err(not_held(&ctx, id).await);
    };
    let record = receipt.record_id.unwrap_or(id);
    repository::find_inbound(&ctx.db, record)
        .await?
        .map(Json)
        .ok_or_else(|| no_such("received mail"))
}

/// Throw a held mail away (agents and admins).
#[utoipa::path(
    post, path = "/api/mail/inbound/{id}/discard/", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The held mail")),
    responses(
        (status = 200, description = "The mail, discarded", body = InboundMail),
        (status = 403, description = "A requester", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mail", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The mail is not held", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn discard_held(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<InboundMail>, ApiError> {
    staff_only(&caller, "discard held mail")?;
    let id = positive_id(&id).ok_or_else(|| no_such("received mail"))?;
    match repository::discard_held_mail(&ctx.db, id).await? {
        Some(mail) => Ok(Json(mail)),
        None => Err(not_held(&ctx, id).await),
    }
}

fn no_such(what: &str) -> ApiError {
    ApiError::NotFound(format!("There is no such {what}."))
}

async fn not_held(ctx: &ApiContext, id: i64) -> ApiError {
    match repository::inbound_mail_exists(&ctx.db, id).await {
        Ok(true) => ApiError::Conflict("This mail is not held: it was decided already.".to_owned()),
        Ok(false) => no_such("received mail"),
        Err(error) => error.into(),
    }
}

fn inbox_error(error: crate::mail::inbound::InboxError) -> ApiError {
    match error {
        crate::mail::inbound::InboxError::Database(error) => error.into(),
        crate::mail::inbound::InboxError::NoSupportAddress => ApiError::Conflict(
            "Set the support address first: held mail becomes tickets under it.".to_owned(),
        ),
        other => ApiError::Internal(other.to_string()),
    }
}

/// Stop the new-ticket mails of an unsubscribe link's holder; no sign-in. The token comes in a
/// JSON body (the app's unsubscribe page) or, for one-click unsubscribe (RFC 8058), in the
/// query with a form body.
#[utoipa::path(
    post, path = "/api/mail/unsubscribe/", tag = "mail",
    params(("token" = Option<String>, Query, description = "The token, for one-click unsubscribe")),
    request_body(content = UnsubscribeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Unsubscribed", body = Unsubscribed),
        (status = 400, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An unknown token", body = Problem, content_type = "application/problem+json"),
        Unavailable,
    )
)]
pub async fn unsubscribe(
    State(ctx): State<ApiContext>,
    query: QueryParams,
    body: Bytes,
) -> Result<Json<Unsubscribed>, ApiError> {
    let token = match query.get("token") {
        Some(token) => token.to_owned(),
        None => serde_json::from_slice::<UnsubscribeRequest>(&body)
            .map(|request| request.token)
            .map_err(|_| ApiError::field("token", "is required"))?,
    };
    if is_reply_token(&token) && repository::unsubscribe(&ctx.db, &token).await? {
        Ok(Json(Unsubscribed { unsubscribed: true }))
    } else {
        Err(ApiError::NotFound(
            "This unsubscribe link is not valid any more.".to_owned(),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnsubscribeRequest {
    #[schema(example = "0123456789abcdef0123456789abcdef")]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscribed {
    pub unsubscribed: bool,
}

/// Which mails the caller gets beyond those about their own work (agents and admins).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// A mail about every new ticket.
    pub new_tickets: bool,
}

#[utoipa::path(
    get, path = "/api/me/notifications/", tag = "mail", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's notifications", body = Notifications),
        (status = 403, description = "A requester", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn get_notifications(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<Notifications>, ApiError> {
    staff_only(&caller, "get new-ticket mails")?;
    let new_tickets = repository::new_ticket_mails(&ctx.db, caller.id).await?;
    Ok(Json(Notifications { new_tickets }))
}

#[utoipa::path(
    put, path = "/api/me/notifications/", tag = "mail", security(("bearer" = [])),
    request_body(content = Notifications, content_type = "application/json"),
    responses(
        (status = 200, description = "The caller's notifications", body = Notifications),
        (status = 400, description = "new_tickets missing or not a boolean", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A requester", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn put_notifications(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody,
) -> Result<Json<Notifications>, ApiError> {
    staff_only(&caller, "get new-ticket mails")?;
    let new_tickets = match body.as_slice() {
        [(name, serde_json::Value::Bool(on))] if name == "new_tickets" => *on,
        _ => {
            return Err(ApiError::field(
                "new_tickets",
                "is required, true or false, and alone",
            ));
        }
    };
    repository::set_new_ticket_mails(&ctx.db, caller.id, new_tickets).await?;
    Ok(Json(Notifications { new_tickets }))
}

/// A list's `status` parameter, `default` when absent.
fn status_param<T: serde::de::DeserializeOwned>(
    query: &QueryParams,
    default: T,
) -> Result<T, ApiError> {
    for (name, _) in &query.0 {
        if name != "status" {
            return Err(ApiError::field(name, "is not a parameter of this list"));
        }
    }
    match query.get("status") {
        None => Ok(default),
        Some(raw) => serde_json::from_value(serde_json::Value::String(raw.to_owned()))
            .map_err(|_| ApiError::field("status", "is not a status of this list")),
    }
}
