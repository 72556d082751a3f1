//! `/api/tickets/…`: create, list, read and change tickets.

use std::net::IpAddr;

use axum::{
    Json, Router,
    extract::{FromRequestParts, OriginalUri, Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    ApiContext, ApiError, BodyProblems, Problem, SignInRequired, Unavailable, conditional,
    extract::{AuthUser, JsonBody, MaybeAuthUser, QueryParams, positive_id},
    list_query::ListQuery,
    paging,
    rate_limit::ClientIp,
    route_with_and_without_slash,
};
use crate::{
    domain::{
        Actor, Category, Email, FieldErrors, NewTicket, Priority, QueueCounts, Ticket,
        TicketChanges, User,
    },
    repository::{self, CreateAnswer, IdempotencyKey, KeyedCreate, Requester, UpdateOutcome},
};

/// The routes of the `tickets` function.
pub fn router() -> Router<ApiContext> {
    let router = Router::new();
    let router = route_with_and_without_slash(
        router,
        "/api/tickets",
        get(list_tickets).post(create_ticket),
    );
    let router = route_with_and_without_slash(router, "/api/tickets/queues", get(queue_counts));
    route_with_and_without_slash(
        router,
        "/api/tickets/{id}",
        get(get_ticket).patch(update_ticket),
    )
}

/// Create a ticket. Omitted `category` or `priority` are suggested by the classifier, which
/// never makes creation fail: it falls back to the built-in rules. With an `Idempotency-Key`,
/// retries of the same request within 24 hours get the first response back and create nothing.
#[utoipa::path(
    post, path = "/api/tickets/", tag = "tickets", security(("bearer" = []), ()),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
        description = "Client-chosen key (1–255 visible ASCII characters) making retries safe")),
    request_body(content = crate::domain::CreateTicketRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The created ticket (or, for a retried key, the first response)", body = Ticket,
            headers(("Location" = String, description = "URL of the new ticket"),
                ("ETag" = String, description = "Version tag for If-Match"))),
        (status = 400, description = "Invalid body, fields or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency-Key already used for a different request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many submissions without an account from this address", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn create_ticket(
    State(ctx): State<ApiContext>,
    MaybeAuthUser(caller): MaybeAuthUser,
    ClientIp(client): ClientIp,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    if caller.is_none() {
        public_submission_allowed(&ctx, client)?;
    }
    let owner = caller
        .as_ref()
        .map_or_else(|| "public".to_owned(), key_owner);
    let key = idempotency_key(&headers)?.map(|key| IdempotencyKey { owner: &owner, key });
    let mut new_ticket = NewTicket::parse(&body).map_err(ApiError::Validation)?;
    let request_body = canonical_json(&body);
    // A retry of a finished request is answered without classifying again.
    if let Some(key) = key
        && let Some(earlier) = repository::find_create_answer(&ctx.db, key).await?
    {
        return replay(earlier, &request_body);
    }
    let requester = requester(&ctx, caller.as_ref(), new_ticket.requester.take()).await?;
    let filed_by = Actor::Person(caller.as_ref().map(|user| user.id));
    let draft = crate::intake::labelled(&ctx.classifier, new_ticket, requester, filed_by).await;
    let collection = uri.path().trim_end_matches('/');
    let now = ctx.clock.now();
    let answer = |ticket: &Ticket| {
        let seen = ticket.clone().seen_by(caller.as_ref(), now);
        create_answer(&seen, collection, &request_body)
    };
    let Some(key) = key else {
        let ticket = repository::insert_ticket(&ctx.db, &draft).await?;
        return Ok(created(answer(&ticket)?));
    };
    match repository::insert_ticket_once(&ctx.db, key, &draft, answer).await? {
        KeyedCreate::Created(answer) => Ok(created(answer)),
        KeyedCreate::AlreadyCreated(earlier) => replay(earlier, &request_body),
        KeyedCreate::KeyExpiredInUse => Err(key_expired_in_use()),
    }
}

/// Whose idempotency keys a signed-in caller's are: keys of different callers never meet.
pub(super) fn key_owner(user: &User) -> String {
    format!("user:{}", user.id)
}

pub(super) fn key_expired_in_use() -> ApiError {
    ApiError::BadRequest(
        "The Idempotency-Key expired while in use; retry with a new key.".to_owned(),
    )
}

/// Who the ticket is for. Signed in: the caller, or (staff only) the account of the address they
/// name, made if there is none. Without an account: the address and name given, both required.
async fn requester(
    ctx: &ApiContext,
    caller: Option<&User>,
    named: Option<(Email, Option<String>)>,
) -> Result<Requester, ApiError> {
    match (caller, named) {
        (Some(caller), None) => Ok(Requester::from(caller)),
        (Some(caller), Some((email, name))) if caller.is_staff() => {
            let name = name.unwrap_or_else(|| email.as_str().to_owned());
            let account = repository::requester_by_email(&ctx.db, &email, &name).await?;
            Ok(Requester::from(&account))
        }
        (Some(_), Some(_)) => Err(ApiError::Forbidden(
            "Only agents can file a ticket for someone else; leave out requester_email.".to_owned(),
        )),
        (None, Some((email, Some(name)))) => Ok(Requester {
            id: None,
            email: email.as_str().to_owned(),
            name,
        }),
        (None, _) => Err(ApiError::Validation(FieldErrors::from([
            (
                "requester_email".to_owned(),
                vec!["is required without an account".to_owned()],
            ),
            (
                "requester_name".to_owned(),
                vec!["is required without an account".to_owned()],
            ),
        ]))),
    }
}

/// A submission without an account: allowed only with `PUBLIC_SUBMISSION`, and then a few a
/// minute per client address.
fn public_submission_allowed(ctx: &ApiContext, client: Option<IpAddr>) -> Result<(), ApiError> {
    match ctx.auth.public_submission_allowed(client) {
        None => Err(ApiError::Unauthorized("no access token".to_owned())),
        Some(false) => Err(ApiError::TooManyRequests(
            "Too many submissions from your address. Retry in a minute.".to_owned(),
        )),
        Some(true) => Ok(()),
    }
}

/// The answer to the request that created `ticket` under `collection` (the path the client
/// called, so `Location` resolves against it behind any prefix).
fn create_answer(
    ticket: &Ticket,
    collection: &str,
    request_body: &str,
) -> Result<CreateAnswer, ApiError> {
    Ok(CreateAnswer {
        request_body: request_body.to_owned(),
        response_body: serde_json::to_string(ticket).map_err(ApiError::internal)?,
        location: format!("{collection}/{}/", ticket.id),
        etag: ticket.etag(),
    })
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::field(
            "Idempotency-Key",
            "must be one value of 1 to 255 visible ASCII characters",
        )
    };
    if values.next().is_some() {
        return Err(invalid());
    }
    let key = value.to_str().map_err(|_| invalid())?;
    let valid = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if valid { Ok(Some(key)) } else { Err(invalid()) }
}

/// The body with members in key order, so a retry that serialises its JSON differently still
/// counts as the same request.
pub(super) fn canonical_json(body: &crate::domain::JsonObject) -> String {
    let sorted: std::collections::BTreeMap<&str, &serde_json::Value> = body
        .iter()
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

/// The first answer again, for a retry with the same key and body; another body is refused.
pub(super) fn replay(earlier: CreateAnswer, request_body: &str) -> Result<Response, ApiError> {
    if earlier.request_body != request_body {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let mut response = created(earlier);
    set_header(
        &mut response,
        HeaderName::from_static("idempotent-replayed"),
        "true",
    );
    Ok(response)
}

/// A 201 from a saved answer; a comment's has no `Location` or `ETag` of its own.
pub(super) fn created(answer: CreateAnswer) -> Response {
    let mut response = json_response(StatusCode::CREATED, answer.response_body);
    for (name, value) in [
        (header::LOCATION, &answer.location),
        (header::ETAG, &answer.etag),
    ] {
        if !value.is_empty() {
            set_header(&mut response, name, value);
        }
    }
    response
}

/// A JSON response from an already serialised body.
fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn set_header(response: &mut Response, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// List tickets newest first (an SLA queue: by due time), filtered and searched, one keyset
/// page at a time. With an `ETag`: `If-None-Match` is answered 304 while nothing the page shows
/// changed.
#[utoipa::path(
    get, path = "/api/tickets/", tag = "tickets", security(("bearer" = [])),
    params(
        ("category" = Option<Category>, Query, description = "Only this category"),
        ("priority" = Option<Priority>, Query, description = "Only this priority"),
        ("status" = Option<String>, Query, pattern = "^(open|in_progress|resolved|closed)(,(open|in_progress|resolved|closed))*$",
            description = "Only this status, or any of several separated by commas (`open,in_progress`)"),
        ("assignee" = Option<String>, Query, pattern = "^(me|none|[1-9][0-9]{0,18})$",
            description = "Agents and admins: `me`, `none` (unassigned) or an account id"),
        ("sla" = Option<String>, Query, pattern = "^(due_soon|breached)$",
            description = "Agents and admins: tickets whose running SLA target is `due_soon` or `breached`, listed by due time (most overdue, or soonest due, first)"),
        ("needs_triage" = Option<bool>, Query,
            description = "true: only tickets being worked that are flagged for triage (agents and admins only)"),
        ("search" = Option<String>, Query, max_length = 200,
            description = "Case-insensitive substring of title or description, with at least three letters or digits in a row (400 otherwise); `%`, `_` and `\\` match literally"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]*$",
            description = "Opaque cursor from the previous page's `Link` header; any other value is a 400"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of a previous answer to the same request (SLA queues have none)"),
    ),
    responses(
        (status = 200, description = "A page of tickets, newest first", body = Vec<Ticket>,
            headers(
                ("Link" = String, description = "`<URL>; rel=\"next\"` when there is a next page"),
                ("ETag" = String, description = "Version tag for If-None-Match; not on SLA queues"),
            )),
        (status = 304, description = "Unchanged since the If-None-Match ETag"),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn list_tickets(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    query: QueryParams,
) -> Result<Response, ApiError> {
    let now = ctx.clock.now();
    let list = ListQuery::parse(&query, &caller, now)?;
    // An SLA queue's members change with time: it is answered in full every time.
    let conditional = list.filter.sla.is_none();
    let identity = conditional::request_identity(&caller, &uri);
    let held = conditional::held_validators(&headers, identity, now);
    if conditional && !held.is_empty() {
        let version = repository::change_version(&ctx.db).await?;
        if let Some(current) = conditional::still_current(&held, version) {
            return Ok(conditional::not_modified(current));
        }
    }
    let listed =
        repository::list_tickets(&ctx.db, &list.filter, list.after, list.limit + 1).await?;
    let tickets: Vec<Ticket> = listed
        .tickets
        .into_iter()
        .map(|ticket| ticket.seen_by(Some(&caller), now))
        .collect();
    let validator = conditional::Validator {
        version: listed.version,
        expires: tickets.iter().filter_map(|t| t.sla_changes_at(now)).min(),
        identity,
    };
    let response = paging::page(tickets, list.limit, |last| {
        list.next_page_link(uri.path(), last)
    });
    Ok(if conditional {
        conditional::with_validator(response, &validator)
    } else {
        response
    })
}

/// How many tickets each agent queue holds: being worked and assigned to the caller, being
/// worked and unassigned, SLA due soon, SLA breached, and all tickets. Read from counters kept
/// with every write, so the cost does not grow with the tickets.
#[utoipa::path(
    get, path = "/api/tickets/queues/", tag = "tickets", security(("bearer" = [])),
    responses(
        (status = 200, description = "The queue counts", body = QueueCounts),
        (status = 403, description = "Not an agent or admin", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn queue_counts(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<QueueCounts>, ApiError> {
    if !caller.is_staff() {
        return Err(ApiError::Forbidden(
            "The queues are for agents and admins.".to_owned(),
        ));
    }
    let counts = repository::queue_counts(&ctx.db, caller.id, ctx.clock.now()).await?;
    Ok(Json(counts))
}

/// Get one ticket, with its `ETag`.
#[utoipa::path(
    get, path = "/api/tickets/{id}/", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The ticket", body = Ticket,
            headers(("ETag" = String, description = "Version tag for If-Match"))),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn get_ticket(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
) -> Result<Response, ApiError> {
    let ticket = repository::find_ticket(&ctx.db, id, caller.ticket_scope())
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(with_etag(ticket.seen_by(Some(&caller), ctx.clock.now())))
}

/// Change a ticket's status, category, priority or assignee; each change is recorded in its
/// history. Any other field is refused. With `If-Match`, the change applies only if nobody
/// changed the ticket since that `ETag`. Requesters may only close their own tickets.
#[utoipa::path(
    patch, path = "/api/tickets/{id}/", tag = "tickets", security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; `*` matches any"),
    ),
    request_body(content = crate::domain::UpdateTicketRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated ticket", body = Ticket,
            headers(("ETag" = String, description = "Version tag for If-Match"))),
        (status = 400, description = "Invalid or unknown fields, or an assignee who is not an enabled agent or admin", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A requester changing anything but closing their ticket", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The ticket changed since the If-Match ETag", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn update_ticket(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let changes = TicketChanges::parse(&body).map_err(ApiError::Validation)?;
    let scope = caller.ticket_scope();
    if !caller.is_staff() {
        // Another's ticket stays a 404, never a 403: ids cannot be probed. A ticket the caller
        // only follows (one theirs was merged into) is visible but not theirs to close.
        let ticket = repository::find_ticket(&ctx.db, id, scope)
            .await?
            .ok_or_else(|| not_found(id))?;
        if !changes.only_closes() || ticket.requester_id != Some(caller.id) {
            return Err(ApiError::Forbidden(
                "You can close your own ticket; an agent changes anything else.".to_owned(),
            ));
        }
    }
    let expected_versions = if_match_versions(&headers, id);
    let actor = Actor::Person(Some(caller.id));
    match repository::update_ticket(
        &ctx.db,
        id,
        scope,
        actor,
        &changes,
        expected_versions.as_deref(),
    )
    .await?
    {
        UpdateOutcome::Updated(ticket) => {
            Ok(with_etag(ticket.seen_by(Some(&caller), ctx.clock.now())))
        }
        UpdateOutcome::NotFound => Err(not_found(id)),
        UpdateOutcome::VersionMismatch => Err(ApiError::PreconditionFailed),
        UpdateOutcome::NotAssignable => Err(ApiError::field(
            "assignee_id",
            "must be an enabled agent or admin",
        )),
    }
}

fn with_etag(ticket: Ticket) -> Response {
    let etag = ticket.etag();
    let mut response = Json(ticket).into_response();
    set_header(&mut response, header::ETAG, &etag);
    response
}

/// The versions of ticket `id` that `If-Match` accepts: `None` without the header or with `*`;
/// otherwise those of its strong tags that name this ticket (possibly none, which no version
/// matches). Weak tags never match: If-Match uses strong comparison.
fn if_match_versions(headers: &HeaderMap, id: i64) -> Option<Vec<i64>> {
    let mut values = headers.get_all(header::IF_MATCH).iter().peekable();
    values.peek()?;
    let mut versions = Vec::new();
    for value in values {
        let Ok(text) = value.to_str() else { continue };
        for tag in text.split(',').map(str::trim) {
            if tag == "*" {
                return None;
            }
            let parsed = tag
                .strip_prefix('"')
                .and_then(|tag| tag.strip_suffix('"'))
                .and_then(|tag| tag.split_once('-'))
                .and_then(|(tag_id, version)| {
                    Some((tag_id.parse::<i64>().ok()?, version.parse::<i64>().ok()?))
                });
            if let Some((_, version)) = parsed.filter(|(tag_id, _)| *tag_id == id) {
                versions.push(version);
            }
        }
    }
    Some(versions)
}

pub(super) fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("There is no ticket with id {id}."))
}

/// A ticket id from the path. Anything that cannot be an id (not a positive 64-bit integer)
/// names no ticket, so it is a 404 like any other missing ticket.
pub struct TicketId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TicketId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("There is no such ticket.".to_owned()))?;
        positive_id(&raw).map(Self).ok_or_else(|| {
            ApiError::NotFound(format!(
                "There is no ticket with id {:?}: ids are positive integers.",
                raw.chars().take(40).collect::<String>()
            ))
        })
    }
}
