//! `classify`, the Lambda function for /api/tickets/classify/: category and priority suggestions.
//! Everything but the choice of routes lives in `shared::lambda`, so this function runs the
//! same handlers as the local server.

use shared::{http::Routes, lambda};

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    lambda::run(Routes::Classify).await
}
