//! Triage beyond the labels: similar tickets, merging a duplicate, and the writing assistance
//! (a reply draft, a summary) when a language model is configured.

use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{
    ApiContext, ApiError, BodyProblems, Problem, RateLimited, SignInRequired, Unavailable,
    extract::{AuthUser, JsonBody, QueryParams, staff_only},
    rate_limit, route_with_and_without_slash,
    tickets::{TicketId, not_found},
};
use crate::{
    classifier::assist,
    config::HttpConfig,
    domain::{FieldErrors, Ticket, User},
    repository::{self, MergeNotes, MergeOutcome, SimilarTicket},
};

/// The shortest text worth comparing: fewer characters share no meaningful trigrams.
const SIMILAR_MIN_CHARS: usize = 3;
/// The longest text compared: a title's length.
const SIMILAR_MAX_CHARS: usize = crate::domain::TITLE_MAX_CHARS;
/// How many resolved tickets' replies a draft may draw on.
const DRAFT_EXAMPLES: i64 = 3;
/// How many comments of a thread are read for the model (it sees at most 30 of them).
const THREAD_READ_LIMIT: i64 = 200;

/// Similar tickets and merging, with the tickets; the writing assistance, rate limited per
/// client like classification, since it spends the same model budget.
pub fn router(config: &HttpConfig) -> Router<ApiContext> {
    let router = route_with_and_without_slash(Router::new(), "/api/tickets/similar", get(similar));
    let router =
        route_with_and_without_slash(router, "/api/tickets/{id}/similar", get(similar_to_ticket));
    let router = route_with_and_without_slash(router, "/api/tickets/{id}/merge", post(merge));
    let router = route_with_and_without_slash(router, "/api/tickets/assist", get(assist));
    let writing =
        route_with_and_without_slash(Router::new(), "/api/tickets/{id}/reply-draft", post(draft));
    let writing = route_with_and_without_slash(writing, "/api/tickets/{id}/summary", post(summary));
    let writing = match config.classify_rate_limit {
        Some(limit) => rate_limit::limit(
            writing,
            limit,
            config.trust_proxy_headers,
            "writing assistance requests",
        ),
        None => writing,
    };
    router.merge(writing)
}

/// Tickets offered as similar.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarTickets {
    pub results: Vec<SimilarTicket>,
}

/// Up to 5 tickets the caller can see whose titles are most like `q` ("Is this your
/// problem?" while a title is typed), most similar first. A requester only ever gets their own.
#[utoipa::path(
    get, path = "/api/tickets/similar/", tag = "triage", security(("bearer" = [])),
    params(("q" = String, Query, max_length = 200,
        description = "The text to compare titles with (no control characters); under 3 letters or digits finds nothing")),
    responses(
        (status = 200, description = "The most similar tickets, most similar first", body = SimilarTickets),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn similar(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    query: QueryParams,
) -> Result<Json<SimilarTickets>, ApiError> {
    let mut errors = FieldErrors::new();
    super::paging::refuse_unknown(&mut errors, &query, &["q"]);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let Some(text) = query.get("q").map(str::trim) else {
        return Err(ApiError::field("q", "is required"));
    };
    if text.chars().count() > SIMILAR_MAX_CHARS {
        return Err(ApiError::field(
            "q",
            crate::domain::too_long(SIMILAR_MAX_CHARS),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(ApiError::field("q", "must not contain control characters"));
    }
    if text.chars().filter(|c| c.is_alphanumeric()).count() < SIMILAR_MIN_CHARS {
        return Ok(Json(SimilarTickets {
            results: Vec::new(),
        }));
    }
    let results = repository::similar_tickets(&ctx.db, caller.ticket_scope(), text, None).await?;
    Ok(Json(SimilarTickets { results }))
}

/// Up to 5 tickets most like this one by title (its likely duplicates), among those the caller
/// can see; never the ticket itself, nor tickets already closed as duplicates.
#[utoipa::path(
    get, path = "/api/tickets/{id}/similar/", tag = "triage", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The most similar tickets, most similar first", body = SimilarTickets),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        Unavailable,
    )
)]
pub async fn similar_to_ticket(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
) -> Result<Json<SimilarTickets>, ApiError> {
    let scope = caller.ticket_scope();
    let ticket = repository::find_ticket(&ctx.db, id, scope)
        .await?
        .ok_or_else(|| not_found(id))?;
    let results = repository::similar_tickets(&ctx.db, scope, &ticket.title, Some(id)).await?;
    Ok(Json(SimilarTickets { results }))
}

/// `POST /api/tickets/{id}/merge/`: the ticket this one duplicates.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The schema of the body `merge_request` reads.
pub struct MergeRequest {
    /// The ticket this one duplicates, which stays open and which this one's requester
    /// follows from now on.
    #[schema(minimum = 1, example = 41)]
    into: i64,
}

/// The target of a merge body: `{"into": <ticket id>}`, nothing else.
fn merge_request(body: &crate::domain::JsonObject, id: i64) -> Result<i64, ApiError> {
    let mut errors = FieldErrors::new();
    for (name, _) in body.iter().filter(|(name, _)| name != "into") {
        errors.insert(
            name.clone(),
            vec!["is not an accepted field (accepted: into)".to_owned()],
        );
    }
    let into = body
        .iter()
        .find(|(name, _)| name == "into")
        .map(|(_, value)| value);
    let message = match into.map(|value| value.as_i64().filter(|into| *into > 0)) {
        None => Some("is required"),
        Some(None) => Some("must be a ticket id (a positive integer)"),
        Some(Some(into)) if into == id => Some("must be another ticket than this one"),
        Some(Some(_)) => None,
    };
    if let Some(message) = message {
        errors.insert("into".to_owned(), vec![message.to_owned()]);
    }
    match into.and_then(Value::as_i64) {
        Some(into) if errors.is_empty() => Ok(into),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Close this ticket as a duplicate of another (agents and admins): a public note on both, this
/// one closed with `duplicate_of`, its requester made a follower of the other (they see it and
/// its public conversation from now on), and the history on both.
#[utoipa::path(
    post, path = "/api/tickets/{id}/merge/", tag = "triage", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The duplicate")),
    request_body(content = MergeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The duplicate, closed", body = Ticket),
        (status = 400, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket (either)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This ticket is already a duplicate, or the other one is", body = Problem, content_type = "application/problem+json"),
        BodyProblems,
        SignInRequired,
        Unavailable,
    )
)]
pub async fn merge(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
    JsonBody(body): JsonBody,
) -> Result<Json<Ticket>, ApiError> {
    // Another's ticket stays a 404, never a 403, for requesters too: ids cannot be probed.
    if !caller.is_staff() {
        repository::find_ticket(&ctx.db, id, caller.ticket_scope())
            .await?
            .ok_or_else(|| not_found(id))?;
        staff_only(&caller, "merge tickets")?;
    }
    let into = merge_request(&body, id)?;
    let notes = MergeNotes {
        on_duplicate: format!(
            "This request is the same as ticket #{into}, so we are closing this one and \
             continuing there. You can follow ticket #{into} for updates."
        ),
        on_target: format!(
            "Ticket #{id} was the same request; it has been merged into this ticket."
        ),
    };
    match repository::merge_duplicate(&ctx.db, id, into, &caller, &notes).await? {
        MergeOutcome::Merged(ticket) => Ok(Json(ticket.seen_by(Some(&caller), ctx.clock.now()))),
        MergeOutcome::NotFound(missing) => Err(not_found(missing)),
        MergeOutcome::AlreadyDuplicate(of) => Err(ApiError::Conflict(format!(
            "Ticket #{id} is already closed as a duplicate of #{of}."
        ))),
        MergeOutcome::TargetIsDuplicate(of) => Err(ApiError::Conflict(format!(
            "Ticket #{into} is itself a duplicate of #{of}: merge into #{of} instead."
        ))),
    }
}

/// Whether the writing assistance is offered.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssistAvailability {
    /// True when a language model is configured: reply drafts and summaries can be asked for.
    pub available: bool,
}

/// Whether reply drafts and summaries are offered (agents and admins): only with a language
/// model configured.
#[utoipa::path(
    get, path = "/api/tickets/assist/", tag = "triage", security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether the writing assistance is offered", body = AssistAvailability),
        SignInRequired,
    )
)]
pub async fn assist(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
) -> Result<Json<AssistAvailability>, ApiError> {
    staff_only(&caller, "use the writing assistance")?;
    Ok(Json(AssistAvailability {
        available: ctx.classifier.can_write(),
    }))
}

/// A draft of the next public reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyDraft {
    /// For the agent to edit and send; never sent by itself.
    #[schema(example = "Hi Ada, sorry about the double charge. I have refunded …")]
    pub draft: String,
}

/// A draft of the agent's next public reply (agents and admins), from the ticket's public
/// conversation and the replies that resolved up to 3 similar tickets. Internal notes never go
/// in: the draft is meant for the requester. Nothing is sent or stored.
#[utoipa::path(
    post, path = "/api/tickets/{id}/reply-draft/", tag = "triage", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The draft", body = ReplyDraft),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No language model is configured", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The language model did not answer (or the database is unavailable)", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        SignInRequired,
    )
)]
pub async fn draft(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
) -> Result<Json<ReplyDraft>, ApiError> {
    let (ticket, comments) = thread_for_assist(&ctx, &caller, id, false).await?;
    let resolved =
        repository::resolved_examples(&ctx.db, &ticket.title, id, DRAFT_EXAMPLES).await?;
    let writing = assist::reply_draft(&ticket, &comments, &resolved);
    let draft = ctx
        .classifier
        .write(&writing)
        .await
        .map_err(|_| ApiError::ModelUnavailable)?;
    Ok(Json(ReplyDraft { draft }))
}

/// A summary of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// At most 100 words: the problem, what was done, the status, the next step.
    pub summary: String,
}

/// A summary of the ticket for agents (agents and admins), at most 100 words: the problem,
/// what was done, the status and the next step. Reads internal notes too; nothing is stored.
#[utoipa::path(
    post, path = "/api/tickets/{id}/summary/", tag = "triage", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 404, description = "No such ticket, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No language model is configured", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The language model did not answer (or the database is unavailable)", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        SignInRequired,
    )
)]
pub async fn summary(
    State(ctx): State<ApiContext>,
    AuthUser(caller): AuthUser,
    TicketId(id): TicketId,
) -> Result<Json<Summary>, ApiError> {
    let (ticket, comments) = thread_for_assist(&ctx, &caller, id, true).await?;
    let text = ctx
        .classifier
        .write(&assist::summary(&ticket, &comments))
        .await
        .map_err(|_| ApiError::ModelUnavailable)?;
    Ok(Json(Summary {
        summary: assist::within_summary_length(&text),
    }))
}

/// The ticket and its thread for the writing assistance, after the checks every assist request
/// makes: a staff caller (a requester's own ticket is still a 403, another's a 404), a model
/// configured (409 otherwise: the deployment's state, not the request, is in the way), the
/// ticket found. `internal_too`: the internal notes as well.
async fn thread_for_assist(
    ctx: &ApiContext,
    caller: &User,
    id: i64,
    internal_too: bool,
) -> Result<(Ticket, Vec<crate::domain::Comment>), ApiError> {
    let ticket = repository::find_ticket(&ctx.db, id, caller.ticket_scope())
        .await?
        .ok_or_else(|| not_found(id))?;
    staff_only(caller, "use the writing assistance")?;
    if !ctx.classifier.can_write() {
        return Err(ApiError::Conflict(
            "Reply drafts and summaries need a language model, and none is configured.".to_owned(),
        ));
    }
    let comments =
        repository::list_comments(&ctx.db, id, internal_too, None, THREAD_READ_LIMIT).await?;
    Ok((ticket, comments))
}
