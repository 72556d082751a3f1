//! The ticket list's query string: label and status filters, the agent filters (assignee, SLA
//! queue), search, page size and cursor, each read by a parser of its own; every invalid
//! parameter is reported at once. Also the `Link` to the next page, which repeats the query.

use chrono::{DateTime, Utc};

use super::{
    ApiError,
    extract::QueryParams,
    paging::{self, CursorKind, collect},
};
use crate::{
    domain::{FieldErrors, SlaState, Status, Ticket, UnknownValue, User},
    repository::{AssigneeFilter, PageAfter, SlaFilter, TicketFilter},
};

const SEARCH_MAX_CHARS: usize = 200;
const PARAMETERS: &[&str] = &[
    "category",
    "priority",
    "status",
    "assignee",
    "sla",
    "needs_triage",
    "search",
    "limit",
    "cursor",
];

/// A parsed list request.
pub struct ListQuery {
    pub filter: TicketFilter,
    pub after: Option<PageAfter>,
    pub limit: i64,
    /// `assignee` as the caller wrote it (`me` stays `me` in the next page's link).
    assignee: Option<String>,
}

impl ListQuery {
    /// The list `query` asks for, within the tickets `caller` may see; `now` places the SLA
    /// queues.
    pub fn parse(query: &QueryParams, caller: &User, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let errors = &mut FieldErrors::new();
        let category = collect(errors, "category", label(query.get("category"))).flatten();
        let priority = collect(errors, "priority", label(query.get("priority"))).flatten();
        let statuses = collect(errors, "status", statuses(query.get("status"))).unwrap_or_default();
        let assignee =
            collect(errors, "assignee", assignee(query.get("assignee"), caller)).flatten();
        let sla = collect(errors, "sla", sla(query.get("sla"), caller)).flatten();
        let needs_triage = collect(
            errors,
            "needs_triage",
            needs_triage(query.get("needs_triage"), caller),
        )
        .unwrap_or_default();
        let search = collect(errors, "search", search(query.get("search"))).flatten();
        let limit = collect(errors, "limit", paging::limit(query.get("limit")));
        let kind = if sla.is_some() {
            CursorKind::Due
        } else {
            CursorKind::Newest
        };
        let after = collect(errors, "cursor", paging::cursor(kind, query.get("cursor"))).flatten();
        paging::refuse_unknown(errors, query, PARAMETERS);
        if !errors.is_empty() {
            return Err(ApiError::Validation(std::mem::take(errors)));
        }
        Ok(Self {
            filter: TicketFilter {
                scope: caller.ticket_scope(),
                category,
                priority,
                statuses,
                assignee,
                sla: sla.map(|state| SlaFilter { state, now }),
                search,
                needs_triage,
            },
            after: after.map(|(at, id)| PageAfter { at, id }),
            limit: limit.unwrap_or(paging::DEFAULT_PAGE_SIZE),
            assignee: query.get("assignee").map(str::to_owned),
        })
    }

    /// The `Link` header value for the page after `last`, keeping every filter.
    pub fn next_page_link(&self, path: &str, last: &Ticket) -> String {
        let filter = &self.filter;
        let mut filters = Vec::new();
        if let Some(category) = filter.category {
            filters.push(("category", category.to_string()));
        }
        if let Some(priority) = filter.priority {
            filters.push(("priority", priority.to_string()));
        }
        if !filter.statuses.is_empty() {
            let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            filters.push(("status", statuses.join(",")));
        }
        if let Some(assignee) = &self.assignee {
            filters.push(("assignee", assignee.clone()));
        }
        if let Some(sla) = filter.sla {
            filters.push(("sla", sla.state.to_string()));
        }
        if filter.needs_triage {
            filters.push(("needs_triage", "true".to_owned()));
        }
        if let Some(search) = &filter.search {
            filters.push(("search", search.clone()));
        }
        let cursor = match (filter.sla, last.sla_due_at) {
            (Some(_), Some(due)) => paging::encode_cursor(CursorKind::Due, due, last.id),
            _ => paging::encode_cursor(CursorKind::Newest, last.created_at, last.id),
        };
        paging::next_link(path, &filters, self.limit, &cursor)
    }
}

/// A label filter: absent means any; present must be an allowed value (not empty).
fn label<T: std::str::FromStr<Err = UnknownValue>>(raw: Option<&str>) -> Result<Option<T>, String> {
    raw.map(str::parse)
        .transpose()
        .map_err(|error: UnknownValue| error.to_string())
}

/// One status, or several separated by commas (any of them); absent means any.
fn statuses(raw: Option<&str>) -> Result<Vec<Status>, String> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let mut statuses = Vec::new();
    for name in raw.split(',') {
        let status: Status = name
            .parse()
            .map_err(|error: UnknownValue| format!("{error} (or several, separated by commas)"))?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    Ok(statuses)
}

const STAFF_ONLY: &str = "is a filter for agents and admins";

/// `me`, `none` or an account id; agents and admins only.
fn assignee(raw: Option<&str>, caller: &User) -> Result<Option<AssigneeFilter>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if !caller.is_staff() {
        return Err(STAFF_ONLY.to_owned());
    }
    match raw {
        "me" => Ok(Some(AssigneeFilter::Account(caller.id))),
        "none" => Ok(Some(AssigneeFilter::Nobody)),
        id => id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| Some(AssigneeFilter::Account(id)))
            .ok_or_else(|| "must be me, none or an account id".to_owned()),
    }
}

/// `due_soon` or `breached`; agents and admins only.
fn sla(raw: Option<&str>, caller: &User) -> Result<Option<SlaState>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if !caller.is_staff() {
        return Err(STAFF_ONLY.to_owned());
    }
    match raw.parse::<SlaState>() {
        Ok(state @ (SlaState::DueSoon | SlaState::Breached)) => Ok(Some(state)),
        _ => Err("must be one of: due_soon, breached".to_owned()),
    }
}

/// `true` for the tickets being worked that are flagged for triage, `false` (or absent) for any;
/// agents and admins only.
fn needs_triage(raw: Option<&str>, caller: &User) -> Result<bool, String> {
    let Some(raw) = raw else {
        return Ok(false);
    };
    if !caller.is_staff() {
        return Err(STAFF_ONLY.to_owned());
    }
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

/// A case-insensitive substring, taken literally; blank means no search. Never holds control
/// characters, which the search's index expression uses as a separator, and always three letters
/// or digits in a row, from which the trigram index finds the matches.
fn search(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(search) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if search.chars().count() > SEARCH_MAX_CHARS {
        Err(crate::domain::too_long(SEARCH_MAX_CHARS))
    } else if search.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else if !crate::repository::has_trigram(search) {
        // No index can say where shorter text appears: it would be a scan of every ticket.
        Err("must contain at least three letters or digits in a row".to_owned())
    } else {
        Ok(Some(search.to_owned()))
    }
}
