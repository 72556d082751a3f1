//! All SQL of the product, one module per table family. Handlers call these functions with
//! validated domain values; queries are static strings or built from fixed fragments, so each
//! shape becomes one prepared statement that the connection caches and reuses. Transactions
//! are opened and committed here, never half-way in a handler.

mod tickets;
mod users;

pub use tickets::*;
pub use users::*;
