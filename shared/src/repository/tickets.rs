//! Tickets: create (with idempotency keys), read, list and search, change, and the statistics
//! their triggers keep.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder};

use super::{
    changes::change_version_sql,
    events::{EventRows, insert_events},
};
use crate::{
    classifier::{LabelConfidence, Language},
    domain::{
        Actor, Breakdown, Category, ClassifiedBy, Description, EventKind, NewEvent, Priority,
        Sentiment, SlaState, Status, Ticket, TicketChanges, TicketScope, TicketStats, Title, User,
        changes_between,
    },
};

/// The selected columns of a [`Ticket`], as a literal so queries stay static strings.
macro_rules! ticket_columns {
    () => {
        "id, title, description, category, priority, status, created_at, updated_at, requester_id, \
         requester_email, requester_name, assignee_id, first_response_due_at, resolution_due_at, \
         first_responded_at, resolved_at, sla_due_at, sla_warn_at, version, classified_by, \
         category_confidence, priority_confidence, sentiment, language, needs_triage, duplicate_of"
    };
}
pub(super) use ticket_columns;

/// The condition "being worked", as a literal: the planner uses a partial index only for a
/// query whose condition is written out like the index's predicate, which a bound parameter is
/// not. A test ties it to [`Status::is_active`].
macro_rules! active {
    () => {
        "status IN ('open', 'in_progress')"
    };
}
pub(super) use active;
pub const ACTIVE: &str = active!();

/// The tickets a requester may see, as a literal condition on the requester's id `$n`: those
/// they asked for, and those they follow (a ticket their own was merged into). Written so the
/// planner can OR two index reads: the requester's tickets, and the followed ids.
macro_rules! followed_or_requested_by {
    ($requester:literal) => {
        concat!(
            "(requester_id = ",
            $requester,
            " OR id = ANY(ARRAY(SELECT ticket_id FROM ticket_followers WHERE user_id = ",
            $requester,
            ")))"
        )
    };
}
pub(super) use followed_or_requested_by;

/// What a search matches against: title and description joined by U+001F, the expression of the
/// trigram index `tickets_search_trgm_idx` (migration `20261126000004_one_search_index.sql`; the
/// two must stay identical). One ILIKE over it equals `title ILIKE p OR description ILIKE p` for
/// any search without control characters, which cannot match across the separator.
pub const SEARCH_TEXT: &str = "(title || E'\\x1f' || description)";

/// A fully labelled ticket, ready to insert, with the history its creation records.
#[derive(Debug, Clone)]
pub struct TicketDraft {
    pub title: Title,
    pub description: Description,
    pub category: Category,
    pub priority: Priority,
    pub requester: Requester,
    /// Who chose the labels, and what the classifier said when it chose any.
    pub triage: Triage,
    /// `created` by whoever filed it, and the labels the classifier chose.
    pub history: Vec<NewEvent>,
}

/// How a new ticket's labels were chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    pub classified_by: ClassifiedBy,
    /// The classifier's confidences, sentiment and language, when it labelled the ticket.
    pub assessment: Option<(LabelConfidence, Sentiment, Option<Language>)>,
    pub needs_triage: bool,
}

impl Triage {
    /// Labels a person chose: nothing for the classifier to say, nothing to triage.
    pub fn by_person() -> Self {
        Self {
            classified_by: ClassifiedBy::Person,
            assessment: None,
            needs_triage: false,
        }
    }
}

impl TicketDraft {
    /// Says who filed it: the actor of its `created` event.
    pub fn filed_by(&mut self, actor: Actor) {
        for event in &mut self.history {
            if event.kind == EventKind::Created {
                event.actor = actor;
            }
        }
    }
}

/// Who asks for a ticket: an account, or (a public submission) only an address and a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub id: Option<i64>,
    pub email: String,
    pub name: String,
}

impl From<&User> for Requester {
    fn from(user: &User) -> Self {
        Self {
            id: Some(user.id),
            email: user.email.clone(),
            name: user.name.clone(),
        }
    }
}

/// Position after the last ticket of a page, in list order: its creation time, or for the SLA
/// queues its due time ([`TicketFilter::due_order`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageAfter {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// Filters of the list, all optional and combinable, within the caller's scope.
#[derive(Debug, Clone)]
pub struct TicketFilter {
    /// Whose tickets the caller may see: every query of a list applies it.
    pub scope: TicketScope,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    /// Any of these statuses; empty for any status.
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeFilter>,
    /// An SLA queue; lists it in due order, most overdue or soonest due first.
    pub sla: Option<SlaFilter>,
    /// Case-insensitive substring of title or description, taken literally. Never contains
    /// control characters (the HTTP layer refuses them): see [`SEARCH_TEXT`].
    pub search: Option<String>,
    /// Only the tickets being worked that are flagged for triage.
    pub needs_triage: bool,
}

impl TicketFilter {
    /// Every ticket `scope` lets the caller see.
    pub fn all(scope: TicketScope) -> Self {
        Self {
            scope,
            category: None,
            priority: None,
            statuses: Vec::new(),
            assignee: None,
            sla: None,
            search: None,
            needs_triage: false,
        }
    }

    /// Whether the list is in due order (an SLA queue) rather than newest first.
    pub fn due_order(&self) -> bool {
        self.sla.is_some()
    }
}

/// Whose tickets, by assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Account(i64),
    Nobody,
}

/// The tickets whose running SLA target is in `state` (due soon or breached) at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaFilter {
    pub state: SlaState,
    pub now: DateTime<Utc>,
}

/// Inserts the ticket and records its creation, in one statement.
pub async fn insert_ticket(db: impl PgExecutor<'_>, draft: &TicketDraft) -> sqlx::Result<Ticket> {
    let history = EventRows::from(draft.history.as_slice());
    let assessment = draft.triage.assessment.as_ref();
    sqlx::query_as(concat!(
        "WITH ticket AS (INSERT INTO tickets (title, description, category, priority, \
             requester_id, requester_email, requester_name, classified_by, category_confidence, \
             priority_confidence, sentiment, language, needs_triage) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $15, $16, $17, $18, $19, $20) \
             RETURNING ",
        ticket_columns!(),
        "), history AS (INSERT INTO ticket_events (ticket_id, kind, actor_kind, actor_id, \
             from_value, to_value, comment_id, visibility) \
             SELECT ticket.id, e.* FROM ticket, \
             unnest($8::text[], $9::text[], $10::int8[], $11::text[], $12::text[], $13::int8[], \
                 $14::text[]) AS e) \
         SELECT * FROM ticket"
    ))
    .bind(draft.title.as_str())
    .bind(draft.description.as_str())
    .bind(draft.category)
    .bind(draft.priority)
    .bind(draft.requester.id)
    .bind(&draft.requester.email)
    .bind(&draft.requester.name)
    .bind(history.kinds)
    .bind(history.actor_kinds)
    .bind(history.actor_ids)
    .bind(history.from_values)
    .bind(history.to_values)
    .bind(history.comment_ids)
    .bind(history.visibilities)
    .bind(draft.triage.classified_by)
    .bind(assessment.map(|(confidence, ..)| confidence.category))
    .bind(assessment.map(|(confidence, ..)| confidence.priority))
    .bind(assessment.map(|(_, sentiment, _)| *sentiment))
    .bind(assessment.and_then(|(.., language)| language.as_ref().map(Language::as_str)))
    .bind(draft.triage.needs_triage)
    .fetch_one(db)
    .await
}

/// The ticket `id`, if it exists and `scope` lets the caller see it.
pub async fn find_ticket(
    db: impl PgExecutor<'_>,
    id: i64,
    scope: TicketScope,
) -> sqlx::Result<Option<Ticket>> {
    sqlx::query_as(concat!(
        "SELECT ",
        ticket_columns!(),
        " FROM tickets WHERE id = $1 AND ($2::bigint IS NULL OR ",
        followed_or_requested_by!("$2"),
        ")"
    ))
    .bind(id)
    .bind(scope.requester())
    .fetch_optional(db)
    .await
}

/// The ticket, locked until the end of the caller's transaction: its changes and the history
/// recording them are then decided from a state no other writer can move.
pub(super) async fn lock_ticket(
    conn: &mut PgConnection,
    id: i64,
    scope: TicketScope,
) -> sqlx::Result<Option<Ticket>> {
    sqlx::query_as(concat!(
        "SELECT ",
        ticket_columns!(),
        " FROM tickets WHERE id = $1 AND ($2::bigint IS NULL OR ",
        followed_or_requested_by!("$2"),
        ") FOR UPDATE"
    ))
    .bind(id)
    .bind(scope.requester())
    .fetch_optional(conn)
    .await
}

/// What became of a PATCH.
#[derive(Debug)]
pub enum UpdateOutcome {
    Updated(Box<Ticket>),
    NotFound,
    /// The ticket exists but its version is none of the expected ones.
    VersionMismatch,
    /// The account to assign is not an enabled agent or admin.
    NotAssignable,
}

/// Applies the changes made by `actor` when the ticket's version is one of
/// `expected_versions` (any version when `None`) and `scope` lets the caller see it, and
/// records each changed field in the history, in one transaction holding the ticket's lock:
/// no other write slips in between check, change and record.
pub async fn update_ticket(
    pool: &PgPool,
    id: i64,
    scope: TicketScope,
    actor: Actor,
    changes: &TicketChanges,
    expected_versions: Option<&[i64]>,
) -> sqlx::Result<UpdateOutcome> {
    let mut tx = crate::db::begin(pool).await?;
    let outcome = match lock_ticket(&mut tx, id, scope).await? {
        None => UpdateOutcome::NotFound,
        Some(before) if expected_versions.is_some_and(|v| !v.contains(&before.version)) => {
            UpdateOutcome::VersionMismatch
        }
        Some(before) => match changes.assignee {
            Some(Some(assignee)) if !super::is_assignable(&mut *tx, assignee).await? => {
                UpdateOutcome::NotAssignable
            }
            _ => {
                let after = apply_changes(&mut tx, id, changes).await?;
                insert_events(&mut tx, id, &changes_between(&before, &after, actor)).await?;
                UpdateOutcome::Updated(Box::new(after))
            }
        },
    };
    if matches!(outcome, UpdateOutcome::Updated(_)) {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

async fn apply_changes(
    conn: &mut PgConnection,
    id: i64,
    changes: &TicketChanges,
) -> sqlx::Result<Ticket> {
    sqlx::query_as(concat!(
        "UPDATE tickets SET status = COALESCE($2, status), category = COALESCE($3, category), \
         priority = COALESCE($4, priority), \
         assignee_id = CASE WHEN $5 THEN $6 ELSE assignee_id END, \
         classified_by = CASE WHEN $7 THEN 'person' ELSE classified_by END, \
         needs_triage = needs_triage AND NOT $7, \
         duplicate_of = CASE WHEN $2 IN ('open', 'in_progress') THEN NULL ELSE duplicate_of END \
         WHERE id = $1 RETURNING ",
        ticket_columns!()
    ))
    .bind(id)
    .bind(changes.status)
    .bind(changes.category)
    .bind(changes.priority)
    .bind(changes.assignee.is_some())
    .bind(changes.assignee.flatten())
    // Only agents and admins may change labels: setting either is a person's triage.
    .bind(changes.category.is_some() || changes.priority.is_some())
    .fetch_one(conn)
    .await
}

/// How many of the newest label-matching tickets a search reads, per row asked for, before it
/// turns to the trigram indexes: 20 finds a page right there for any text in at least 5% of them.
const SEARCH_WINDOW_PER_ROW: i64 = 20;

/// One statement of a list request; see [`list_steps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStep {
    /// The page, newest first, through the index of its filters (no search).
    Page,
    /// A search among a bounded window of the newest tickets with the requested labels; the
    /// answer when it fills the page.
    RecentWindow,
    /// Every match, found through the trigram indexes, then sorted; run with ordered index walks
    /// and table scans ruled out ([`BITMAP_SCANS_ONLY`]).
    TrigramMatches,
    /// Every match of a search pg_trgm cannot look up (no three letters or digits in a row):
    /// the planner chooses freely.
    AnyMatches,
}

/// Rules out, for the rest of the transaction, the plans a [`ListStep::TrigramMatches`] must not
/// use: walking a list-order index while filtering, and scanning the table. JIT compilation too,
/// which the cost of sorting many matches can trigger and which takes longer than the query.
pub const BITMAP_SCANS_ONLY: &str = "SELECT set_config('enable_indexscan', 'off', true), \
                                     set_config('enable_seqscan', 'off', true), \
                                     set_config('jit', 'off', true)";

/// The statements [`list_tickets`] runs for this filter, in order; each after the first runs
/// only when the one before it did not fill the page.
///
/// Whether walking the list order or the trigram indexes is cheaper for a search depends on how
/// common the text is among the tickets with these labels, which the planner cannot know (a word
/// may be frequent overall yet absent from one category): its guess once walked 150,000 rows
/// for an empty page. So a search first walks a bounded window of the newest matching tickets,
/// which finds a page of any common text, and only for rarer text collects every match through
/// the trigram indexes and sorts them.
///
/// An SLA queue holds only tickets being worked, and walks them in due order: a search there
/// filters that walk.
pub fn list_steps(filter: &TicketFilter) -> &'static [ListStep] {
    match &filter.search {
        None => &[ListStep::Page],
        Some(_) if filter.due_order() => &[ListStep::AnyMatches],
        Some(search) if has_trigram(search) => &[ListStep::RecentWindow, ListStep::TrigramMatches],
        Some(_) => &[ListStep::RecentWindow, ListStep::AnyMatches],
    }
}

/// The SQL and arguments of one step, after `prefix` (empty, or `EXPLAIN …` for plan checks).
pub fn list_statement(
    prefix: &str,
    step: ListStep,
    filter: &TicketFilter,
    after: Option<PageAfter>,
    limit: i64,
) -> QueryBuilder<Postgres> {
    debug_assert!(
        !filter
            .search
            .as_deref()
            .is_some_and(|s| s.contains(char::is_control)),
        "a search never contains control characters"
    );
    let mut query = QueryBuilder::new(prefix);
    let pattern = filter
        .search
        .as_deref()
        .map(|search| format!("%{}%", escape_like(search)));
    match (step, pattern) {
        (ListStep::RecentWindow, Some(pattern)) => {
            query.push(concat!(
                "SELECT ",
                ticket_columns!(),
                ", change_version FROM ("
            ));
            push_page(
                &mut query,
                filter,
                None,
                after,
                limit.saturating_mul(SEARCH_WINDOW_PER_ROW),
            );
            query
                .push(") AS recent WHERE ")
                .push(SEARCH_TEXT)
                .push(" ILIKE ")
                .push_bind(pattern)
                .push(" ORDER BY created_at DESC, id DESC LIMIT ")
                .push_bind(limit);
        }
        (_, pattern) => push_page(&mut query, filter, pattern, after, limit),
    }
    query
}

/// One page of tickets, newest first, starting after `after`: up to `limit` rows, and the
/// [change version](super::change_version) they are as of.
pub async fn list_tickets(
    pool: &PgPool,
    filter: &TicketFilter,
    after: Option<PageAfter>,
    limit: i64,
) -> sqlx::Result<ListedPage> {
    if let Some(page) = list_page(pool, filter, after, limit).await? {
        return Ok(page);
    }
    // An empty page has no row to carry the version: read it first, then look again, so that a
    // write in between can only make the version look older than the page.
    let version = super::change_version(pool).await?;
    Ok(list_page(pool, filter, after, limit)
        .await?
        .unwrap_or(ListedPage {
            tickets: Vec::new(),
            version,
        }))
}

/// A page of tickets and the change version read with them, in the same snapshot.
#[derive(Debug)]
pub struct ListedPage {
    pub tickets: Vec<Ticket>,
    pub version: i64,
}

/// A ticket row of a list, with the change version its statement read.
#[derive(sqlx::FromRow)]
struct ListedTicket {
    #[sqlx(flatten)]
    ticket: Ticket,
    change_version: i64,
}

/// The page, or `None` when it is empty.
async fn list_page(
    pool: &PgPool,
    filter: &TicketFilter,
    after: Option<PageAfter>,
    limit: i64,
) -> sqlx::Result<Option<ListedPage>> {
    let mut rows: Vec<ListedTicket> = Vec::new();
    for &step in list_steps(filter) {
        let mut statement = list_statement("", step, filter, after, limit);
        let query = statement.build_query_as();
        rows = match step {
            ListStep::Page | ListStep::RecentWindow => query.fetch_all(pool).await?,
            // Planned for their own values each time, not as a cached generic plan.
            ListStep::AnyMatches => query.persistent(false).fetch_all(pool).await?,
            ListStep::TrigramMatches => {
                let mut tx = crate::db::begin(pool).await?;
                sqlx::query(BITMAP_SCANS_ONLY).execute(&mut *tx).await?;
                let rows = query.persistent(false).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        if rows.len() as i64 >= limit {
            break;
        }
    }
    let version = rows.first().map(|row| row.change_version);
    Ok(version.map(|version| ListedPage {
        tickets: rows.into_iter().map(|row| row.ticket).collect(),
        version,
    }))
}

/// `SELECT … FROM tickets WHERE <filters> ORDER BY created_at DESC, id DESC LIMIT n`. Only the
/// conditions in use are emitted, so the planner sees a simple query per shape and picks the
/// matching index rather than a generic plan full of `$n IS NULL OR …`.
fn push_page(
    query: &mut QueryBuilder<Postgres>,
    filter: &TicketFilter,
    pattern: Option<String>,
    after: Option<PageAfter>,
    limit: i64,
) {
    query.push(concat!(
        "SELECT ",
        ticket_columns!(),
        ", ",
        change_version_sql!(),
        " AS change_version FROM tickets WHERE TRUE"
    ));
    if let Some(requester) = filter.scope.requester() {
        // `followed_or_requested_by!`, with the requester bound where the builder numbers it.
        query
            .push(" AND (requester_id = ")
            .push_bind(requester)
            .push(" OR id = ANY(ARRAY(SELECT ticket_id FROM ticket_followers WHERE user_id = ")
            .push_bind(requester)
            .push(")))");
    }
    if filter.needs_triage {
        // Written as the partial index `tickets_needs_triage_idx` is, so the planner uses it.
        query.push(concat!(" AND needs_triage AND ", active!()));
    }
    if let Some(category) = filter.category {
        query.push(" AND category = ").push_bind(category);
    }
    if let Some(priority) = filter.priority {
        query.push(" AND priority = ").push_bind(priority);
    }
    match filter.statuses.as_slice() {
        [] => {}
        [status] => {
            query.push(" AND status = ").push_bind(*status);
        }
        statuses => {
            query
                .push(" AND status = ANY(")
                .push_bind(statuses.to_vec())
                .push(")");
        }
    }
    match filter.assignee {
        None => {}
        Some(AssigneeFilter::Account(id)) => {
            query.push(" AND assignee_id = ").push_bind(id);
        }
        Some(AssigneeFilter::Nobody) => {
            query.push(" AND assignee_id IS NULL");
        }
    }
    if let Some(sla) = filter.sla {
        if sla.state == SlaState::Breached {
            query.push(" AND sla_due_at <= ").push_bind(sla.now);
        } else {
            query
                .push(" AND sla_due_at > ")
                .push_bind(sla.now)
                .push(" AND sla_warn_at <= ")
                .push_bind(sla.now);
        }
    }
    if let Some(pattern) = pattern {
        query
            .push(" AND ")
            .push(SEARCH_TEXT)
            .push(" ILIKE ")
            .push_bind(pattern);
    }
    let due_order = filter.due_order();
    if let Some(after) = after {
        query
            .push(if due_order {
                " AND (sla_due_at, id) > ("
            } else {
                " AND (created_at, id) < ("
            })
            .push_bind(after.at)
            .push(", ")
            .push_bind(after.id)
            .push(")");
    }
    query
        .push(if due_order {
            " ORDER BY sla_due_at, id LIMIT "
        } else {
            " ORDER BY created_at DESC, id DESC LIMIT "
        })
        .push_bind(limit);
}

/// Whether pg_trgm can extract a trigram from the search: it needs three letters or digits in a
/// row (it ignores everything else). The API refuses searches without one.
pub fn has_trigram(search: &str) -> bool {
    let mut run = 0;
    search.chars().any(|c| {
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        run >= 3
    })
}

/// Escapes LIKE's wildcards (`%`, `_`) and its escape character (`\`) so they match literally.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Reads the counters that triggers keep in step with `tickets` (migration
/// `20261126000002_ticket_stats_rollup.sql`): at most 64 labels × 4 shards plus one row per day
/// with tickets, whatever the number of tickets, and exactly what a full recount would return.
/// The breakdowns come grouped by the database, one member per value found.
///
/// The load, SLA and answer-time members are read at `now` (see [`super::work`]).
pub async fn ticket_stats(pool: &PgPool, now: DateTime<Utc>) -> Result<TicketStats, StatsError> {
    let row: StatsRow = sqlx::query_as(
        "SELECT COALESCE(sum(tickets), 0)::int8 AS total, \
                COALESCE(sum(tickets) FILTER (WHERE status = $1), 0)::int8 AS open, \
                COALESCE(round(sum(tickets) \
                    / NULLIF((SELECT count(*) FROM ticket_days WHERE live_groups > 0), 0), 2), 0)::float8 \
                    AS avg_per_day, \
                (SELECT COALESCE(jsonb_object_agg(priority, n), '{}')::text \
                 FROM (SELECT priority, sum(tickets)::int8 AS n FROM ticket_counts GROUP BY 1) AS p) \
                    AS priorities, \
                (SELECT COALESCE(jsonb_object_agg(category, n), '{}')::text \
                 FROM (SELECT category, sum(tickets)::int8 AS n FROM ticket_counts GROUP BY 1) AS c) \
                    AS categories \
         FROM ticket_counts",
    )
    .bind(Status::Open)
    .fetch_one(pool)
    .await?;
    let counts = |json: &str| {
        serde_json::from_str::<BTreeMap<String, i64>>(json).map_err(|error| error.to_string())
    };
    let priority_breakdown = counts(&row.priorities).and_then(Breakdown::from_counts);
    let category_breakdown = counts(&row.categories).and_then(Breakdown::from_counts);
    let work = super::work::work_stats(pool, now).await?;
    Ok(TicketStats {
        open_by_assignee: work.open_by_assignee,
        unassigned_open: work.unassigned_open,
        sla_breached: work.sla_breached,
        needs_triage: work.needs_triage,
        median_first_response_minutes: work.median_first_response_minutes,
        median_resolution_minutes: work.median_resolution_minutes,
        medians_until: work.medians_until,
        total_tickets: row.total,
        open_tickets: row.open,
        avg_tickets_per_day: row.avg_per_day,
        priority_breakdown: priority_breakdown.map_err(StatsError::Counters)?,
        category_breakdown: category_breakdown.map_err(StatsError::Counters)?,
    })
}

/// Why the statistics could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The counters hold something the code does not know: they and the code disagree.
    #[error("unreadable statistics counters: {0}")]
    Counters(String),
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    total: i64,
    open: i64,
    avg_per_day: f64,
    /// JSON objects of counts by spelling.
    priorities: String,
    categories: String,
}

/// A create's answer: what the client is sent and, for a create with an idempotency key, what
/// its retries are sent again.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreateAnswer {
    /// The request as parsed, to tell a retry from a different request reusing the key.
    pub request_body: String,
    pub response_body: String,
    pub location: String,
    pub etag: String,
}

/// How long a key's answer is replayed.
pub const IDEMPOTENCY_KEY_TTL_HOURS: i32 = 24;
/// Expired keys are deleted in batches of this many, by one keyed create in this many (the
/// ticket id decides), inside that request's own work: no separate job is needed, which a
/// Lambda deployment has nowhere to run, and nothing is left to a task that a frozen sandbox
/// might never run.
const PURGE_BATCH: i64 = 1000;
const PURGE_EVERY: i64 = 100;

/// An idempotency key as its owner sent it: keys of different callers never meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyKey<'a> {
    /// `user:<id>`, or `public` for a submission without an account.
    pub owner: &'a str,
    pub key: &'a str,
}

/// The live (under 24 hours old) answer stored for `key`, if any.
pub async fn find_create_answer(
    db: impl PgExecutor<'_>,
    key: IdempotencyKey<'_>,
) -> sqlx::Result<Option<CreateAnswer>> {
    sqlx::query_as(
        "SELECT request_body, response_body, location, etag FROM idempotency_keys \
         WHERE owner = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)",
    )
    .bind(key.owner)
    .bind(key.key)
    .bind(IDEMPOTENCY_KEY_TTL_HOURS)
    .fetch_optional(db)
    .await
}

/// What became of a create carrying an idempotency key.
#[derive(Debug)]
pub enum KeyedCreate {
    Created(CreateAnswer),
    /// A concurrent request with the key committed first; its answer. Nothing was created.
    AlreadyCreated(CreateAnswer),
    /// A concurrent request held the key, but its answer expired meanwhile.
    KeyExpiredInUse,
}

/// Inserts the ticket and stores `answer(&ticket)` under `key`, in one transaction: a key never
/// exists without its ticket or the reverse. If a live answer is stored meanwhile (a concurrent
/// request with the same key won; the unique key makes this one wait for its commit), nothing
/// is created and that answer is returned.
pub async fn insert_ticket_once<E: From<sqlx::Error>>(
    pool: &PgPool,
    key: IdempotencyKey<'_>,
    draft: &TicketDraft,
    answer: impl FnOnce(&Ticket) -> Result<CreateAnswer, E>,
) -> Result<KeyedCreate, E> {
    let mut tx = crate::db::begin(pool).await?;
    let ticket = insert_ticket(&mut *tx, draft).await?;
    let answer = answer(&ticket)?;
    if !save_create_answer(&mut tx, key, &answer).await? {
        tx.rollback().await?;
        return Ok(match find_create_answer(pool, key).await? {
            Some(earlier) => KeyedCreate::AlreadyCreated(earlier),
            None => KeyedCreate::KeyExpiredInUse,
        });
    }
    tx.commit().await?;
    if ticket.id % PURGE_EVERY == 0 {
        // The ticket is stored and answered either way; a failed purge is retried by a later one.
        if let Err(error) = purge_expired_idempotency_keys(pool, PURGE_BATCH).await {
            tracing::warn!(%error, "purging expired idempotency keys failed");
        }
    }
    Ok(KeyedCreate::Created(answer))
}

/// Stores the answer for `key` in the caller's transaction. Returns `false` when a live answer
/// already exists. An expired one is replaced.
pub(super) async fn save_create_answer(
    conn: &mut PgConnection,
    key: IdempotencyKey<'_>,
    answer: &CreateAnswer,
) -> sqlx::Result<bool> {
    let saved: Option<String> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (owner, key, request_body, response_body, location, etag) \
         VALUES ($7, $1, $2, $3, $4, $5) \
         ON CONFLICT (owner, key) DO UPDATE SET request_body = excluded.request_body, \
             response_body = excluded.response_body, location = excluded.location, \
             etag = excluded.etag, created_at = now() \
         WHERE idempotency_keys.created_at <= now() - make_interval(hours => $6) \
         RETURNING key",
    )
    .bind(key.key)
    .bind(&answer.request_body)
    .bind(&answer.response_body)
    .bind(&answer.location)
    .bind(&answer.etag)
    .bind(IDEMPOTENCY_KEY_TTL_HOURS)
    .bind(key.owner)
    .fetch_optional(conn)
    .await?;
    Ok(saved.is_some())
}

/// Deletes up to `batch` expired keys; small batches keep each call cheap on a busy table.
pub async fn purge_expired_idempotency_keys(pool: &PgPool, batch: i64) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE (owner, key) IN (SELECT owner, key FROM idempotency_keys \
         WHERE created_at <= now() - make_interval(hours => $1) ORDER BY created_at LIMIT $2)",
    )
    .bind(IDEMPOTENCY_KEY_TTL_HOURS)
    .bind(batch)
    .execute(pool)
    .await
    .map(|result| result.rows_affected())
}

/// Whether the database answers at all.
pub async fn ping(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(pool).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::{ACTIVE, Status, escape_like, has_trigram};

    #[test]
    fn active_statuses_are_open_and_in_progress() {
        let active: Vec<String> = Status::ALL
            .iter()
            .filter(|status| status.is_active())
            .map(|status| format!("'{status}'"))
            .collect();
        assert_eq!(ACTIVE, format!("status IN ({})", active.join(", ")));
    }

    #[test]
    fn trigram_needs_three_letters_or_digits_in_a_row() {
        for indexable in ["abc", "Ironleaf", "e4 x12", "o'brien", "été"] {
            assert!(has_trigram(indexable), "{indexable}");
        }
        for too_short in ["", "%", "_", "ab", "a b c", "ab-cd", "é-é"] {
            assert!(!has_trigram(too_short), "{too_short}");
        }
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"100% off_now\"), r"100\% off\_now\\");
        assert_eq!(escape_like("plain"), "plain");
    }
}
