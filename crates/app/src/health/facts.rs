//! Each account's health facts from the batch reads of `bilan_db::health_inputs`.

use bilan_db::health_inputs::Inputs;
use bilan_domain::complaints::ComplaintState;
use bilan_domain::contacts::BuyingRole;
use bilan_domain::health::{usage, Departure, HealthFacts};
use bilan_domain::surveys::SurveyKind;
use bilan_domain::timeline::local_day;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;
use uuid::Uuid;

/// The roles whose people count as key contacts (decision makers and the sponsor).
pub const KEY_ROLES: [&str; 2] = ["decision_maker", "sponsor"];

/// The facts of every account read, by account.
pub fn assemble(inputs: &Inputs, today: NaiveDate) -> HashMap<Uuid, HealthFacts> {
    let mut out: HashMap<Uuid, HealthFacts> = inputs
        .accounts
        .iter()
        .map(|a| {
            (
                a.id,
                HealthFacts {
                    today,
                    currency: a.currency.clone(),
                    renewal: a.renewal_date.filter(|_| a.status == "active"),
                    notice_days: a.notice_days.and_then(|d| u32::try_from(d).ok()),
                    ..HealthFacts::default()
                },
            )
        })
        .collect();
    for (account, kind, score, day) in &inputs.answers {
        if let (Some(f), Some(kind)) = (out.get_mut(account), SurveyKind::parse(kind)) {
            f.answers.push((kind, i16::try_from(*score).unwrap_or(0), *day));
        }
    }
    for e in &inputs.exchanges {
        let Some(f) = out.get_mut(&e.account_id) else { continue };
        let last = e.last_at.map(local_day);
        let recent = u32::try_from(e.recent).unwrap_or(u32::MAX);
        if e.direction == "inbound" {
            f.last_inbound = last;
            f.inbound_90 = recent;
        } else {
            f.last_outbound = last;
            f.outbound_90 = recent;
        }
    }
    for i in &inputs.invoices {
        let Some(f) = out.get_mut(&i.account_id) else { continue };
        f.invoiced = i.counted > 0;
        f.overdue_minor = i.overdue_minor;
        f.invoiced_12m_minor = i.invoiced_12m_minor;
        f.max_days_late = i.oldest_overdue.map_or(0, |d| (today - d).num_days().max(0));
    }
    let mut late: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for (account, due, settled) in &inputs.settled {
        let e = late.entry(*account).or_default();
        e.0 += (*settled - *due).num_days().max(0);
        e.1 += 1;
    }
    for (account, (days, n)) in late {
        if let Some(f) = out.get_mut(&account) {
            f.average_days_late = (n > 0).then(|| Decimal::from(days) / Decimal::from(n));
        }
    }
    let recent_from = today - Duration::days(90);
    for c in &inputs.complaints {
        let Some(f) = out.get_mut(&c.account_id) else { continue };
        let open = ComplaintState::parse(&c.state).is_some_and(ComplaintState::is_open);
        if open {
            f.open_complaints += 1;
            if c.next_due_on.is_some_and(|d| d < today) {
                f.overdue_complaints += 1;
            }
            if c.about_invoice {
                f.disputes += 1;
            }
        } else if c.ended_on.is_some_and(|d| d >= recent_from) {
            f.recently_closed_complaints += 1;
        }
    }
    let mut metrics: HashMap<(Uuid, &str), Vec<(NaiveDate, Decimal)>> = HashMap::new();
    for (account, metric, period, value) in &inputs.usage {
        if let Ok(v) = Decimal::from_str(value) {
            metrics
                .entry((*account, metric.as_str()))
                .or_default()
                .push((*period, v));
        }
    }
    let mut metric_keys: Vec<&(Uuid, &str)> = metrics.keys().collect();
    metric_keys.sort();
    for key in metric_keys {
        if let (Some(f), Some(t)) = (out.get_mut(&key.0), usage::trend(key.1, &metrics[key])) {
            f.usage.push(t);
        }
    }
    let last_met: HashMap<Uuid, NaiveDate> = inputs
        .last_met
        .iter()
        .filter_map(|(c, at)| at.map(|at| (*c, local_day(at))))
        .collect();
    let year_ago = today - Duration::days(365);
    for c in &inputs.contacts {
        let Some(f) = out.get_mut(&c.account_id) else { continue };
        let roles = BuyingRole::parse_list(&c.roles).unwrap_or_default();
        match c.left_on {
            Some(left) if left >= year_ago && left <= today => {
                if roles.iter().any(|r| *r != BuyingRole::Finance) {
                    let name = match &c.first_name {
                        Some(first) => format!("{first} {}", c.last_name),
                        None => c.last_name.clone(),
                    };
                    f.departures.push(Departure {
                        name,
                        roles,
                        left_on: left,
                    });
                }
            }
            Some(_) => {}
            None => {
                if roles.iter().any(|r| KEY_ROLES.contains(&r.code())) {
                    f.has_key_contact = true;
                    if let Some(met) = last_met.get(&c.id) {
                        f.last_key_contact_met = f.last_key_contact_met.max(Some(*met));
                    }
                }
            }
        }
    }
    for f in out.values_mut() {
        let rank = |d: &Departure| {
            if d.roles.contains(&BuyingRole::Sponsor) {
                0
            } else if d.roles.contains(&BuyingRole::DecisionMaker) {
                1
            } else {
                2
            }
        };
        f.departures.sort_by_key(|d| (rank(d), std::cmp::Reverse(d.left_on)));
    }
    out
}
