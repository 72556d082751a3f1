//! All SQL of the product lives here. Handlers call these functions with validated domain
//! values; queries are static strings or built from fixed fragments, so each shape becomes one
//! prepared statement that the connection caches and reuses.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use utoipa::ToSchema;

use crate::domain::{Category, Description, Priority, Status, Ticket, TicketChanges, Title};

/// The selected columns of a [`Ticket`], as a literal so queries stay static strings.
macro_rules! ticket_columns {
    () => {
        "id, title, description, category, priority, status, created_at, updated_at"
    };
}

/// A fully labelled ticket, ready to insert.
#[derive(Debug, Clone)]
pub struct TicketDraft {
    pub title: Title,
    pub description: Description,
    pub category: Category,
    pub priority: Priority,
}

/// Position after the last ticket of a page, in list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageAfter {
    pub created_at: DateTime<Utc>,
    pub id: i64,
}

/// Filters of the list, all optional and combinable.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    /// Case-insensitive substring of title or description, taken literally.
    pub search: Option<String>,
}

/// Aggregates for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TicketStats {
    pub total_tickets: i64,
    pub open_tickets: i64,
    /// Tickets ÷ distinct UTC days with at least one ticket, rounded to 2 decimals.
    pub avg_tickets_per_day: f64,
    pub priority_breakdown: PriorityBreakdown,
    pub category_breakdown: CategoryBreakdown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PriorityBreakdown {
    pub low: i64,
    pub medium: i64,
    pub high: i64,
    pub critical: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryBreakdown {
    pub billing: i64,
    pub technical: i64,
    pub account: i64,
    pub general: i64,
}

pub async fn insert_ticket(pool: &PgPool, draft: &TicketDraft) -> sqlx::Result<Ticket> {
    sqlx::query_as(concat!(
        "INSERT INTO tickets (title, description, category, priority) VALUES ($1, $2, $3, $4) \
         RETURNING ",
        ticket_columns!()
    ))
    .bind(draft.title.as_str())
    .bind(draft.description.as_str())
    .bind(draft.category)
    .bind(draft.priority)
    .fetch_one(pool)
    .await
}

pub async fn find_ticket(pool: &PgPool, id: i64) -> sqlx::Result<Option<Ticket>> {
    sqlx::query_as(concat!(
        "SELECT ",
        ticket_columns!(),
        " FROM tickets WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Applies the changes and returns the updated ticket, or `None` when it does not exist.
pub async fn update_ticket(
    pool: &PgPool,
    id: i64,
    changes: &TicketChanges,
) -> sqlx::Result<Option<Ticket>> {
    sqlx::query_as(concat!(
        "UPDATE tickets SET status = COALESCE($2, status), category = COALESCE($3, category), \
         priority = COALESCE($4, priority) WHERE id = $1 RETURNING ",
        ticket_columns!()
    ))
    .bind(id)
    .bind(changes.status)
    .bind(changes.category)
    .bind(changes.priority)
    .fetch_optional(pool)
    .await
}

/// One page of tickets, newest first, starting after `after`. Returns up to `limit` rows.
pub async fn list_tickets(
    pool: &PgPool,
    filter: &TicketFilter,
    after: Option<PageAfter>,
    limit: i64,
) -> sqlx::Result<Vec<Ticket>> {
    // Only the conditions in use are emitted, so the planner sees a simple query per shape and
    // picks the matching index rather than a generic plan full of `$n IS NULL OR …`.
    let mut query = QueryBuilder::<Postgres>::new(concat!(
        "SELECT ",
        ticket_columns!(),
        " FROM tickets WHERE TRUE"
    ));
    if let Some(category) = filter.category {
        query.push(" AND category = ").push_bind(category);
    }
    if let Some(priority) = filter.priority {
        query.push(" AND priority = ").push_bind(priority);
    }
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status);
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", escape_like(search));
        query
            .push(" AND (title ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR description ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(after) = after {
        query
            .push(" AND (created_at, id) < (")
            .push_bind(after.created_at)
            .push(", ")
            .push_bind(after.id)
            .push(")");
    }
    query
        .push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit);
    query.build_query_as().fetch_all(pool).await
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

pub async fn ticket_stats(pool: &PgPool) -> sqlx::Result<TicketStats> {
    let row: StatsRow = sqlx::query_as(
        "SELECT count(*) AS total, \
                count(*) FILTER (WHERE status = 'open') AS open, \
                COALESCE(round(count(*)::numeric \
                    / NULLIF(count(DISTINCT (created_at AT TIME ZONE 'UTC')::date), 0), 2), 0)::float8 \
                    AS avg_per_day, \
                count(*) FILTER (WHERE priority = 'low') AS low, \
                count(*) FILTER (WHERE priority = 'medium') AS medium, \
                count(*) FILTER (WHERE priority = 'high') AS high, \
                count(*) FILTER (WHERE priority = 'critical') AS critical, \
                count(*) FILTER (WHERE category = 'billing') AS billing, \
                count(*) FILTER (WHERE category = 'technical') AS technical, \
                count(*) FILTER (WHERE category = 'account') AS account, \
                count(*) FILTER (WHERE category = 'general') AS general \
         FROM tickets",
    )
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    total: i64,
    open: i64,
    avg_per_day: f64,
    low: i64,
    medium: i64,
    high: i64,
    critical: i64,
    billing: i64,
    technical: i64,
    account: i64,
    general: i64,
}

impl From<StatsRow> for TicketStats {
    fn from(row: StatsRow) -> Self {
        Self {
            total_tickets: row.total,
            open_tickets: row.open,
            avg_tickets_per_day: row.avg_per_day,
            priority_breakdown: PriorityBreakdown {
                low: row.low,
                medium: row.medium,
                high: row.high,
                critical: row.critical,
            },
            category_breakdown: CategoryBreakdown {
                billing: row.billing,
                technical: row.technical,
                account: row.account,
                general: row.general,
            },
        }
    }
}

/// Whether the database answers at all.
pub async fn ping(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(pool).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"100% off_now\"), r"100\% off\_now\\");
        assert_eq!(escape_like("plain"), "plain");
    }
}
