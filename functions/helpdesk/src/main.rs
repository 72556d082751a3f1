//! `helpdesk`: the local combined server (every route in one process) and the migrate step.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shared::{
    config::{self, ClassifierConfig, ClassifierKind, Config, Runtime},
    db,
    domain::{Email, InboundStatus, Password, Role},
    http::{self, ApiContext, Routes},
    mail::{inbound::Inbox, outbox::Outbox, smtp_server},
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
    /// Run pending migrations (and make the bootstrap admin, if configured) and exit: the
    /// deploy step for Lambda.
    Migrate,
    /// Accounts: `helpdesk users add EMAIL --role admin` makes the first admin.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// The built-in issuer's signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Receive one mail from standard input (an RFC 5322 message, as delivered to the support
    /// address) and print what became of it. Exits 1 when it was rejected.
    IngestMail,
    /// Measure a classifier on the labelled tickets: accuracy, confusion matrices, confidence
    /// calibration, tone, language and latency. Needs no database.
    Eval {
        /// `rules` runs the built-in fallback; `gemini` and `openai` call the configured
        /// provider (GEMINI_API_KEY, OPENAI_*) with no fallback, failures counted apart.
        #[arg(long, default_value = "rules", value_parser = ["rules", "gemini", "openai"])]
        provider: String,
    },
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

#[derive(Subcommand)]
enum UsersCommand {
    /// Add an account with a password (or set the password and role of an existing one). The
    /// password comes from HELPDESK_PASSWORD, or is read from standard input.
    Add {
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Display name (default: the address).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, env = "HELPDESK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key and retire the current one, which stays published until the
    /// tokens it signed have expired.
    Rotate,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
        .map_err(|error: shared::domain::UnknownValue| error.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Eval { provider }) = &cli.command {
        return eval(provider).await;
    }
    let config = Config::from_env(Runtime::Server)?;
    telemetry::init(&config.log_filter, LogFormat::Text);
    let pool = db::pool(&config.database).context("DATABASE_URL is not a valid PostgreSQL URL")?;
    db::migrate(&pool, DATABASE_PATIENCE)
        .await
        .context("running database migrations")?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("migrations are up to date");
            // The deploy step of Lambda, so the bootstrap admin of a new stack is made here.
            bootstrap_admin(&config, &pool).await?;
            configured_mail_settings(&config, &pool).await
        }
        Command::IngestMail => ingest_mail(&config, pool).await,
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
        Command::Users {
            command:
                UsersCommand::Add {
                    email,
                    role,
                    name,
                    password,
                },
        } => add_user(&pool, &email, role, name, password).await,
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            let kid = shared::auth::issuer::add_key(&pool, true, config.auth.access_token_ttl)
                .await
                .context("rotating the signing key")?;
            tracing::info!(kid = kid.as_deref().unwrap_or("-"), "new signing key");
            Ok(())
        }
        Command::Serve => serve(config, pool).await,
        Command::Eval { .. } => unreachable!("handled before the database set-up"),
    }
}

async fn eval(provider: &str) -> anyhow::Result<()> {
    // Eval touches no database: only the classifier's settings are read.
    let mut classifier = ClassifierConfig::from_env()?;
    telemetry::init(&config::log_filter_from_env("warn"), LogFormat::Text);
    classifier.kind = match provider {
        "gemini" => ClassifierKind::Gemini,
        "openai" => ClassifierKind::OpenAi,
        _ => ClassifierKind::Rules,
    };
    let model = shared::build_provider(&classifier);
    if model.is_none() && classifier.kind != ClassifierKind::Rules {
        anyhow::bail!("the {provider} provider is not configured (see README, Classification)");
    }
    let tickets = shared::classifier::eval::corpus();
    let tally = shared::classifier::eval::run(&tickets, model.clone(), classifier.timeout).await;
    println!("provider: {provider}");
    if model.is_none() {
        println!(
            "(the fallback's models were trained on these very tickets, so these are training \
             figures; the cross-validated ones are in the README)"
        );
    }
    print!("{}", tally.report());
    Ok(())
}

async fn add_user(
    pool: &sqlx::PgPool,
    email: &str,
    role: Role,
    name: Option<String>,
    password: Option<String>,
) -> anyhow::Result<()> {
    let password = match password {
        Some(password) => password,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let email = Email::parse(email).map_err(|reason| anyhow::anyhow!("EMAIL {reason}"))?;
    let password =
        Password::parse(&password).map_err(|reason| anyhow::anyhow!("the password {reason}"))?;
    let hash = shared::auth::passwords::hash(&password).await?;
    let name = name.unwrap_or_else(|| email.as_str().to_owned());
    let user = shared::repository::set_account(pool, &email, &name, role, &hash).await?;
    println!("{} ({}) can sign in as {}", user.email, user.id, user.role);
    Ok(())
}

async fn bootstrap_admin(config: &Config, pool: &sqlx::PgPool) -> anyhow::Result<()> {
    if shared::auth::bootstrap_admin(&config.auth, pool)
        .await
        .context("making the bootstrap admin")?
    {
        tracing::info!("made the admin of HELPDESK_BOOTSTRAP_ADMIN_EMAIL");
    } else if !shared::repository::any_enabled_admin(pool).await? {
        tracing::warn!(
            "no admin account yet: make one with `helpdesk users add EMAIL --role admin` \
             (with Docker: `docker compose exec backend helpdesk users add EMAIL --role admin`), \
             or set HELPDESK_BOOTSTRAP_ADMIN_EMAIL and HELPDESK_BOOTSTRAP_ADMIN_PASSWORD"
        );
    }
    Ok(())
}

/// The support address and sender name of the configuration, until an admin saves theirs.
async fn configured_mail_settings(config: &Config, pool: &sqlx::PgPool) -> anyhow::Result<()> {
    shared::mail::apply_configured_settings(&config.mail, pool)
        .await
        .context("storing MAIL_SUPPORT_ADDRESS")
}

async fn ingest_mail(config: &Config, pool: sqlx::PgPool) -> anyhow::Result<()> {
    configured_mail_settings(config, &pool).await?;
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut raw)
        .context("reading the message from standard input")?;
    let classifier = shared::build_classifier(&config.classifier);
    let inbox = Inbox::new(pool, classifier, &config.mail);
    let receipt = inbox.receive(&raw, &[]).await?;
    println!("{}", serde_json::to_string(&receipt)?);
    if receipt.status == InboundStatus::Rejected {
        std::process::exit(1);
    }
    Ok(())
}

async fn serve(config: Config, pool: sqlx::PgPool) -> anyhow::Result<()> {
    bootstrap_admin(&config, &pool).await?;
    configured_mail_settings(&config, &pool).await?;
    let ctx = ApiContext::new(&config, pool.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            // An error means the sender is gone, which is a stop too.
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };
    let mut mail_tasks = tokio::task::JoinSet::new();
    match shared::mail::transport(&config.mail).await? {
        Some(transport) => {
            let outbox = Outbox::new(pool.clone(), transport, &config.mail.public_url);
            mail_tasks.spawn(outbox.run(until_stopped()));
            tracing::info!(transport = ?config.mail.transport.kind(), "sending mail");
        }
        None => tracing::info!("no mail transport (SMTP_URL): notifications stay queued"),
    }
    if let Some(address) = config.mail.inbound_addr {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("binding SMTP_INBOUND_ADDR {address}"))?;
        tracing::info!(%address, "receiving mail by SMTP");
        mail_tasks.spawn(smtp_server::serve(
            listener,
            ctx.inbox.clone(),
            until_stopped(),
        ));
    }
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
    // The outbox finishes the pass under way (each mail is marked as it is sent).
    let _ = stop.send(true);
    while mail_tasks.join_next().await.is_some() {}
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
