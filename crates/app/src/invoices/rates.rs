//! The rates late-payment interest is counted with: the ECB reference rate of each
//! half-year (Bilan adds the legal 10 points), or a contractual rate the workspace
//! agreed in its general terms of sale.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::invoices::{self as store, RateRow, SettingsRow};
use bilan_db::Conn;
use bilan_domain::audit::AuditAction;
use bilan_domain::invoices::late_payment::{Rates, LEGAL_MARGIN_POINTS};
use bilan_domain::roles::Permission;
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;
use uuid::Uuid;

/// Highest rate accepted, in percent (a typo guard: rates are a few percent).
pub const MAX_RATE: Decimal = Decimal::from_parts(100, 0, 0, false, 0);

/// Reads a rate in percent as people type it (`2.15`, `2,15`, `2.15 %`).
pub fn parse_rate(raw: &str) -> Result<Decimal, &'static str> {
    let t = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() {
        return Err("required");
    }
    let d = Decimal::from_str(&t).map_err(|_| "rate.invalid")?;
    if d < Decimal::ZERO || d > MAX_RATE {
        return Err("rate.out_of_range");
    }
    if d.scale() > 4 {
        return Err("rate.precision");
    }
    Ok(d.normalize())
}

/// The rates of a workspace.
pub(crate) async fn rates_in(c: &mut Conn<'_>, ws: Uuid) -> AppResult<Rates> {
    let reference = store::rates(c, ws)
        .await?
        .into_iter()
        .filter_map(|r| {
            let half = u8::try_from(r.half).ok()?;
            let year = i32::try_from(r.year).ok()?;
            Some(((year, half), Decimal::from_str(&r.rate).ok()?))
        })
        .collect();
    let contractual = store::settings(c, ws)
        .await?
        .and_then(|s| s.contractual_rate)
        .and_then(|r| Decimal::from_str(&r).ok());
    Ok(Rates { reference, contractual })
}

/// One half-year's reference rate, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceRate {
    /// Year.
    pub year: i32,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
    /// The ECB rate, percent.
    pub rate: Decimal,
    /// The annual rate of late-payment interest: rate + 10 points.
    pub annual: Decimal,
}

/// The workspace's rates, as shown and edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateSettings {
    /// Reference rates, newest first.
    pub reference: Vec<ReferenceRate>,
    /// The contractual rate, when the workspace set one.
    pub contractual_rate: Option<Decimal>,
}

/// The workspace's rates.
pub async fn rate_settings(app: &App, actor: &Actor) -> AppResult<RateSettings> {
    actor.require(Permission::ReadInvoices)?;
    let mut pc = app.db.acquire().await?;
    let r = rates_in(&mut pc.conn(), actor.workspace_id).await?;
    let mut reference: Vec<ReferenceRate> = r
        .reference
        .iter()
        .map(|((year, half), rate)| ReferenceRate {
            year: *year,
            half: *half,
            rate: *rate,
            annual: *rate + LEGAL_MARGIN_POINTS,
        })
        .collect();
    reference.sort_by_key(|x| std::cmp::Reverse((x.year, x.half)));
    Ok(RateSettings {
        reference,
        contractual_rate: r.contractual,
    })
}

/// Sets the reference rate of `year`'s `half` (1 or 2), in percent.
pub async fn set_reference_rate(app: &App, actor: &Actor, year: i32, half: u8, rate: &str) -> AppResult<ReferenceRate> {
    let mut e = bilan_domain::ValidationErrors::new();
    if !(2000..=2100).contains(&year) {
        e.add("year", "rate.year_invalid");
    }
    if !(1..=2).contains(&half) {
        e.add("half", "rate.half_invalid");
    }
    let parsed = parse_rate(rate).map_err(|code| e.add("rate", code)).ok();
    let mut w = app.write(actor, Permission::ConfigureInvoices).await?;
    e.into_result()?;
    let Some(rate) = parsed else {
        return Err(AppError::field("rate", "required"));
    };
    let ws = actor.workspace_id;
    let before = store::rates(&mut w.conn(), ws)
        .await?
        .into_iter()
        .find(|r| r.year == i64::from(year) && r.half == i64::from(half))
        .map(|r| r.rate);
    let now = w.now();
    store::save_rate(
        &mut w.conn(),
        &RateRow {
            id: bilan_db::new_id(),
            workspace_id: ws,
            year: i64::from(year),
            half: i64::from(half),
            rate: rate.to_string(),
            updated_at: now,
        },
    )
    .await?;
    let snap = |r: Option<String>| serde_json::json!({ "year": year, "half": half, "rate": r });
    w.audit_entry(
        if before.is_some() {
            AuditAction::Update
        } else {
            AuditAction::Create
        },
        "reference_rate",
        ws,
        before.map(|b| snap(Some(b))).as_ref(),
        Some(&snap(Some(rate.to_string()))),
    );
    w.commit().await?;
    Ok(ReferenceRate {
        year,
        half,
        rate,
        annual: rate + LEGAL_MARGIN_POINTS,
    })
}

/// Sets (or, empty, removes) the contractual annual rate, in percent.
pub async fn set_contractual_rate(app: &App, actor: &Actor, rate: Option<&str>) -> AppResult<RateSettings> {
    let parsed = match rate.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(r) => parse_rate(r).map(Some),
    };
    let mut w = app.write(actor, Permission::ConfigureInvoices).await?;
    let rate = parsed.map_err(|code| AppError::field("contractual_rate", code))?;
    let ws = actor.workspace_id;
    let before = store::settings(&mut w.conn(), ws).await?;
    let row = SettingsRow {
        id: before.as_ref().map_or_else(bilan_db::new_id, |b| b.id),
        workspace_id: ws,
        contractual_rate: rate.map(|r| r.to_string()),
        version: 1,
        updated_at: w.now(),
    };
    store::save_settings(&mut w.conn(), &row).await?;
    w.audit_entry(
        AuditAction::Update,
        "invoice_settings",
        ws,
        Some(&serde_json::json!({ "contractual_rate": before.and_then(|b| b.contractual_rate) })),
        Some(&serde_json::json!({ "contractual_rate": row.contractual_rate })),
    );
    w.commit().await?;
    rate_settings(app, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_as_people_type_them() {
        assert_eq!(parse_rate("2.15"), Ok(Decimal::new(215, 2)));
        assert_eq!(parse_rate(" 2,15 % "), Ok(Decimal::new(215, 2)));
        assert_eq!(parse_rate("4.50"), Ok(Decimal::new(45, 1)));
        assert_eq!(parse_rate(""), Err("required"));
        assert_eq!(parse_rate("abc"), Err("rate.invalid"));
        assert_eq!(parse_rate("-1"), Err("rate.out_of_range"));
        assert_eq!(parse_rate("150"), Err("rate.out_of_range"));
        assert_eq!(parse_rate("2.123456"), Err("rate.precision"));
    }
}
