//! The SLA policy: targets per priority.

use sqlx::{PgExecutor, PgPool};

use crate::domain::{Priority, SlaPolicy, SlaTargets};

/// The current policy.
pub async fn sla_policy(db: impl PgExecutor<'_>) -> sqlx::Result<SlaPolicy> {
    let rows: Vec<(Priority, i32, i32)> = sqlx::query_as(
        "SELECT priority, first_response_minutes, resolution_minutes FROM sla_policies",
    )
    .fetch_all(db)
    .await?;
    SlaPolicy::from_rows(rows.into_iter().map(
        |(priority, first_response_minutes, resolution_minutes)| {
            (
                priority,
                SlaTargets {
                    first_response_minutes,
                    resolution_minutes,
                },
            )
        },
    ))
    // The migration inserts every priority and nothing deletes one: the rows and the code
    // disagree.
    .map_err(|missing| sqlx::Error::Decode(missing.into()))
}

/// Replaces every priority's targets, in one statement. Tickets keep the due times they have.
pub async fn set_sla_policy(pool: &PgPool, policy: &SlaPolicy) -> sqlx::Result<()> {
    let (priorities, targets): (Vec<Priority>, Vec<SlaTargets>) = policy.iter().unzip();
    sqlx::query(
        "UPDATE sla_policies AS p SET first_response_minutes = n.first_response, \
             resolution_minutes = n.resolution, updated_at = now() \
         FROM unnest($1::text[], $2::int4[], $3::int4[]) AS n(priority, first_response, resolution) \
         WHERE p.priority = n.priority",
    )
    .bind(priorities)
    .bind(targets.iter().map(|t| t.first_response_minutes).collect::<Vec<_>>())
    .bind(targets.iter().map(|t| t.resolution_minutes).collect::<Vec<_>>())
    .execute(pool)
    .await
    .map(drop)
}
