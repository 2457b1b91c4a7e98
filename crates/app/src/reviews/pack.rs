//! Assembles a review's data pack from what Bilan holds for the account and the
//! period, with the formulas the rest of the product uses: NPS/CSAT/CES from the
//! surveys' summary, DSO and payment behaviour from the invoices' own sums, health
//! from the health module, objectives' progress from the account plan.

use crate::{Actor, App, AppError, AppResult};
use bilan_db::invoices::{self as invoice_store, Grouping, InvoiceFilter};
use bilan_db::review_pack as facts;
use bilan_db::reviews::{self as store, ActionFilter};
use bilan_domain::complaints::ComplaintState;
use bilan_domain::invoices::aging::late_edges;
use bilan_domain::invoices::behaviour::{dso, BehaviourTotals};
use bilan_domain::key_accounts::objectives::progress;
use bilan_domain::money::{Currency, Money};
use bilan_domain::reviews::actions::{self, ActionStatus};
use bilan_domain::reviews::pack::*;
use bilan_domain::surveys::{Summary, SurveyKind};
use bilan_domain::timeline::{local_day, local_day_start};
use bilan_i18n::Lang;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use uuid::Uuid;

fn amount(minor: i64, currency: Currency) -> Decimal {
    Money { minor, currency }.to_decimal()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The pack of `account` for `from..=to` as it stands now; `review` (if any) is
/// left out of the earlier reviews' action items.
pub async fn assemble(
    app: &App,
    actor: &Actor,
    account: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    review: Option<Uuid>,
) -> AppResult<Pack> {
    actor.require(bilan_domain::roles::Permission::ReadAccounts)?;
    let ws = actor.workspace_id;
    let now = app.now();
    let today = local_day(now);
    // Health first: reading it may recompute it, on its own connection.
    let health = crate::health::account_health(app, actor, account, Lang::En).await.ok();
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let acc = bilan_db::accounts::find(&mut c, ws, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let currency = acc.annual_value.currency;
    let owner = match acc.owner_id {
        Some(o) => bilan_db::users::find(&mut c, ws, o).await?.map(|u| u.display_name),
        None => None,
    };
    let (start, end) = (local_day_start(from), local_day_start(to.succ_opt().unwrap_or(to)));

    // Exchanges.
    let mut by_channel: BTreeMap<String, ChannelCount> = BTreeMap::new();
    let mut exchanges = ExchangeFigures::default();
    for (channel, direction, n) in facts::exchanges_by_channel(&mut c, ws, account, start, end).await? {
        let line = by_channel.entry(channel.clone()).or_insert(ChannelCount {
            channel,
            inbound: 0,
            outbound: 0,
        });
        if direction == "inbound" {
            line.inbound += count(n);
            exchanges.inbound += count(n);
        } else {
            line.outbound += count(n);
            exchanges.outbound += count(n);
        }
    }
    exchanges.total = exchanges.inbound + exchanges.outbound;
    let mut channels: Vec<ChannelCount> = by_channel.into_values().collect();
    channels.sort_by(|a, b| {
        (b.inbound + b.outbound)
            .cmp(&(a.inbound + a.outbound))
            .then(a.channel.cmp(&b.channel))
    });
    exchanges.by_channel = channels;
    let (answered, seconds) = facts::response_totals(&mut c, ws, account, start, end).await?;
    exchanges.answered = count(answered);
    exchanges.mean_response_hours = mean_response_hours(seconds, count(answered));
    let limit = i64::try_from(LIST_LIMIT).unwrap_or(100);
    let (beyond, beyond_count) = facts::beyond_contract(&mut c, ws, account, start, end, limit).await?;

    // Satisfaction.
    let groups: Vec<(SurveyKind, i16, u64)> = facts::answer_counts(&mut c, ws, account, from, to)
        .await?
        .into_iter()
        .filter_map(|(k, s, n)| Some((SurveyKind::parse(&k)?, i16::try_from(s).ok()?, count(n))))
        .collect();
    let verbatims = facts::verbatims(&mut c, ws, account, from, to, 20)
        .await?
        .into_iter()
        .map(|v| Verbatim {
            on: v.answered_on,
            kind: v.kind,
            score: i16::try_from(v.score).unwrap_or(0),
            contact: match (v.first_name, v.last_name) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (None, Some(l)) => Some(l),
                (f, None) => f,
            },
            comment: v.comment,
        })
        .collect();

    // Complaints.
    let all = facts::complaints(&mut c, ws, account, from, to).await?;
    let mut complaints = ComplaintFigures {
        received: all.len() as u64,
        ..ComplaintFigures::default()
    };
    let mut days_to_resolve = 0i64;
    for k in &all {
        let state = ComplaintState::parse(&k.state);
        if state.is_some_and(ComplaintState::is_open) {
            complaints.open += 1;
        }
        if let Some(r) = k.resolved_on {
            complaints.resolved += 1;
            days_to_resolve += (r - k.received_on).num_days().max(0);
        }
    }
    complaints.mean_days_to_resolve = mean_days(days_to_resolve, complaints.resolved);
    complaints.items = all
        .into_iter()
        .take(LIST_LIMIT)
        .map(|k| ComplaintLine {
            id: k.id,
            reference: bilan_domain::complaints::reference(k.received_on, k.number),
            subject: k.summary,
            received_on: k.received_on,
            state: k.state,
            resolved_on: k.resolved_on,
        })
        .collect();

    // Invoices, through the invoices' own sums restricted to the account.
    let filter = InvoiceFilter {
        account_id: Some(account),
        ..InvoiceFilter::default()
    };
    let cur = currency.as_str().to_owned();
    let aging = invoice_store::aging(&mut c, ws, Grouping::Workspace, &filter, today, late_edges(today)).await?;
    let (open_minor, overdue_minor) = aging
        .iter()
        .filter(|a| a.currency == cur)
        .fold((0i64, 0i64), |(o, d), a| {
            let open = a.not_due + a.d1_30 + a.d31_60 + a.d61_90 + a.over_90;
            (o + open, d + open - a.not_due)
        });
    let invoiced_minor: i64 = invoice_store::revenue(&mut c, ws, Grouping::Workspace, &filter, from, to)
        .await?
        .iter()
        .filter(|r| r.currency == cur)
        .map(|r| r.invoiced)
        .sum();
    let mut totals = BehaviourTotals::default();
    for b in invoice_store::behaviour(&mut c, ws, Grouping::Workspace, &filter, from, to).await? {
        totals.invoices += count(b.invoices);
        totals.late += count(b.late);
        totals.days_late += b.days_late;
    }
    let invoices = InvoiceFigures {
        issued: count(facts::invoices_issued(&mut c, ws, account, &cur, from, to).await?),
        invoiced_amount: amount(invoiced_minor, currency),
        open_amount: amount(open_minor, currency),
        overdue_amount: amount(overdue_minor, currency),
        dso: dso(
            amount(open_minor, currency),
            amount(invoiced_minor, currency),
            days_in(from, to),
        ),
        behaviour: totals.behaviour(),
    };

    // Revenue and margin.
    let (prev_from, prev_to) = previous_period(from, to);
    let revenue = amount(
        facts::revenue_excl(&mut c, ws, account, &cur, from, to).await?,
        currency,
    );
    let previous_revenue = amount(
        facts::revenue_excl(&mut c, ws, account, &cur, prev_from, prev_to).await?,
        currency,
    );
    let margin_rate = bilan_db::key_accounts::financials(&mut c, ws, account)
        .await?
        .and_then(|f| f.margin_actual)
        .and_then(|m| Decimal::from_str(m.trim_end_matches('%').trim()).ok());
    let revenue = RevenueFigures {
        revenue,
        previous_revenue,
        growth_pct: change_pct(previous_revenue, revenue),
        margin_rate_pct: margin_rate,
        margin: margin_rate.map(|r| margin(revenue, r)),
    };

    // Usage.
    let mut metrics: BTreeMap<String, Vec<DayValue>> = BTreeMap::new();
    for u in bilan_db::key_accounts::usage(&mut c, ws, account, from).await? {
        if u.period_start > to {
            continue;
        }
        if let Ok(v) = Decimal::from_str(&u.value) {
            metrics.entry(u.metric).or_default().push(DayValue {
                on: u.period_start,
                value: v,
            });
        }
    }
    let usage = metrics
        .into_iter()
        .filter_map(|(metric, mut points)| {
            points.sort_by_key(|p| p.on);
            let (first, last) = (points.first()?.value, points.last()?.value);
            Some(UsageLine {
                metric,
                first,
                last,
                change_pct: change_pct(first, last),
                points,
            })
        })
        .collect();

    // Health.
    let history: Vec<DayScore> = bilan_db::health::history(&mut c, ws, account, from)
        .await?
        .into_iter()
        .filter(|(d, _)| *d <= to)
        .map(|(on, s)| DayScore {
            on,
            score: u8::try_from(s.clamp(0, 100)).unwrap_or(0),
        })
        .collect();
    let health = health.map(|h| HealthFigures {
        score: h.score,
        band: h.band.clone(),
        score_at_start: history.first().map(|d| d.score),
        components: h
            .components
            .iter()
            .filter_map(|c| {
                Some(NamedScore {
                    name: c.name.clone(),
                    score: c.score?,
                })
            })
            .collect(),
        history,
    });

    // Objectives of the account plan due from the period's start on.
    let objectives = bilan_db::key_accounts::objectives(&mut c, ws, account)
        .await?
        .into_iter()
        .filter(|o| o.due_on >= from)
        .map(|o| {
            let dec = |s: &Option<String>| s.as_deref().and_then(|v| Decimal::from_str(v).ok());
            let target = Decimal::from_str(&o.target).unwrap_or_default();
            ObjectiveLine {
                progress_pct: progress(dec(&o.baseline), target, dec(&o.current_value)),
                title: o.title,
                metric: o.metric,
                target: o.target,
                current: o.current_value,
                due_on: o.due_on,
                status: o.status,
            }
        })
        .collect();

    // Earlier reviews' action items.
    let earlier = store::list_actions(
        &mut c,
        ws,
        &ActionFilter {
            account_id: Some(account),
            ..ActionFilter::default()
        },
        1000,
    )
    .await?;
    let mut statuses = Vec::new();
    let mut action_lines = Vec::new();
    let mut overdue = 0u64;
    for a in earlier.into_iter().filter(|a| Some(a.action.review_id) != review) {
        let status = ActionStatus::parse(&a.action.status).unwrap_or(ActionStatus::Open);
        let late = actions::is_overdue(status, a.action.due_on, today);
        overdue += u64::from(late);
        statuses.push(status);
        action_lines.push(ActionLine {
            what: a.action.what,
            owner: a.action.owner_name,
            due_on: a.action.due_on,
            status: a.action.status,
            done_on: a.action.done_on,
            overdue: late,
        });
    }

    Ok(Pack {
        account: PackAccount {
            id: account,
            name: acc.name,
            owner,
        },
        period_from: from,
        period_to: to,
        taken_at: now,
        frozen: false,
        currency: cur,
        exchanges,
        beyond_contract: beyond
            .into_iter()
            .map(|b| ExchangeLine {
                id: b.id,
                on: local_day(b.occurred_at),
                channel: b.channel,
                subject: b.subject,
                summary: b.summary,
            })
            .collect(),
        beyond_contract_count: count(beyond_count),
        satisfaction: SatisfactionFigures {
            summary: Summary::of_counts(&groups),
            verbatims,
        },
        complaints,
        invoices,
        revenue,
        usage,
        health,
        objectives,
        actions: ActionFigures {
            progress_pct: actions::progress(&statuses),
            overdue,
            items: action_lines,
        },
    })
}
