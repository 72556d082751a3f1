//! `tickets`, the Lambda function for /api/tickets/ and /api/tickets/{id}/ (create, list, read
//! and change tickets), plus /api/health and /api/openapi.json.
//! Everything but the choice of routes lives in `shared::lambda`, so this function runs the
//! same handlers as the local server.

use shared::{http::Routes, lambda};

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    lambda::run(Routes::Tickets).await
}
