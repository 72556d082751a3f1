//! `db::begin`: a transaction cut off at any point never leaves its connection in the pool
//! inside it (the hole of sqlx 0.9.0's own `begin`, sqlx issues 4385 and 4393).

use std::time::Duration;

use shared::db;
use sqlx::postgres::PgPoolOptions;

use crate::helpers::fresh_database;

/// Polls `work` a given number of times, yielding to the runtime in between, then drops it: a
/// sweep over that number cuts the work off at every stage, on the wire and in between.
async fn cut_off_after(yields: usize, work: impl Future<Output = sqlx::Result<()>>) {
    let deadline = async {
        for _ in 0..yields {
            tokio::task::yield_now().await;
        }
    };
    tokio::select! {
        biased;
        _ = work => {}
        () = deadline => {}
    }
}

#[tokio::test]
async fn a_transaction_cut_off_anywhere_never_returns_its_connection_inside_it() {
    let database = fresh_database().await;
    // One connection, so every attempt and every probe meets the same one (or its replacement).
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(database.connect_options().as_ref().clone())
        .await
        .unwrap();
    sqlx::query("CREATE TABLE attempts (n int)")
        .execute(&pool)
        .await
        .unwrap();

    // From cut off at once up to the work running to its commit every time, however fast this
    // machine is today; ten sweeps, as where a round trip ends among the yields varies.
    for _sweep in 0..10 {
        sweep(&pool).await;
    }
}

async fn sweep(pool: &sqlx::PgPool) {
    let mut committed_in_a_row = 0;
    for yields in 0.. {
        assert!(yields < 20_000, "the work never ran to its commit");
        if committed_in_a_row == 20 {
            break;
        }
        sqlx::query("TRUNCATE attempts")
            .execute(pool)
            .await
            .unwrap();
        cut_off_after(yields, async {
            let mut tx = db::begin(pool).await?;
            sqlx::query("INSERT INTO attempts VALUES ($1)")
                .bind(yields as i32)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
        .await;
        // Outside a transaction block SAVEPOINT is an error; inside one it succeeds.
        let mut probe = pool.acquire().await.unwrap();
        let savepoint = sqlx::raw_sql("SAVEPOINT probe").execute(&mut *probe).await;
        assert!(
            savepoint.is_err(),
            "cut off after {yields} yields, the connection came back inside a transaction"
        );
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
            .fetch_one(&mut *probe)
            .await
            .unwrap();
        assert!(stored <= 1);
        committed_in_a_row = if stored == 1 {
            committed_in_a_row + 1
        } else {
            0
        };
    }
}
