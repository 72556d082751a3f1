//! `helpdesk`: the local combined server (every route in one process) and the migrate step.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shared::{
    config::{Config, Runtime},
    db,
    http::{self, ApiContext, Routes},
    telemetry::{self, LogFormat},
};

/// How long start-up waits for the database before giving up on migrations.
const DATABASE_PATIENCE: Duration = Duration::from_secs(60);

#[derive(Parser)]
#[command(version, about = "Helpdesk support-ticket server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations, then serve the API (and the SPA when STATIC_DIR is set). Default.
    Serve,
    /// Run pending migrations and exit (the deploy step for Lambda).
    Migrate,
    /// Run pending migrations, then insert realistic tickets in bulk (benchmarks, demos).
    Seed {
        /// How many tickets to insert.
        #[arg(long)]
        count: u64,
        /// Spread their creation times uniformly over this many days before now.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env(Runtime::Server)?;
    telemetry::init(&config.log_filter, LogFormat::Text);
    let pool = db::pool(&config.database).context("DATABASE_URL is not a valid PostgreSQL URL")?;
    db::migrate(&pool, DATABASE_PATIENCE)
        .await
        .context("running database migrations")?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::Seed { count, days } => {
            let report = shared::seed::seed(&pool, count, days)
                .await
                .context("seeding tickets")?;
            tracing::info!(
                inserted = report.inserted,
                rebuilt_indexes = report.rebuilt_indexes,
                seconds = report.elapsed.as_secs_f64(),
                "seeded"
            );
            Ok(())
        }
        Command::Serve => serve(config, pool).await,
    }
}

async fn serve(config: Config, pool: sqlx::PgPool) -> anyhow::Result<()> {
    let ctx = ApiContext {
        db: pool.clone(),
        classifier: shared::build_classifier(&config.classifier),
    };
    let app = http::app(ctx, Routes::ALL, &config.http);
    let address = config.http.bind_addr;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding BIND_ADDR {address}"))?;
    tracing::info!(%address, static_dir = ?config.http.static_dir, "serving");

    let outcome = http::serve(listener, app, &config.http, async {
        shutdown_signal().await;
        tracing::info!("shutdown signal received; draining in-flight requests");
    })
    .await;
    // Waits for the work of requests whose clients hung up, too: it runs to its end.
    pool.close().await;
    tracing::info!("stopped");
    Ok(outcome?)
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
