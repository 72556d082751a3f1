//! All SQL of the product, one module per table family. Handlers call these functions with
//! validated domain values; queries are static strings or built from fixed fragments, so each
//! shape becomes one prepared statement that the connection caches and reuses. Transactions
//! are opened and committed here, never half-way in a handler.

mod changes;
mod comments;
mod events;
mod mail;
mod sla;
mod tickets;
mod triage;
mod users;
mod work;

pub use changes::{change_version, stats_version};
pub use comments::*;
pub use events::{EventAfter, list_events, record_sla_breaches};
pub use mail::*;
pub use sla::*;
pub use tickets::*;
pub use triage::*;
pub use users::*;
pub use work::queue_counts;
