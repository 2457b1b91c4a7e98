//! What the minutes say, in the client's language: who attended, the agenda, the
//! round table, the year in figures from the frozen pack (with its charts), what
//! went beyond the contract, satisfaction, complaints, invoices, usage, last
//! year's objectives and actions, the decisions, next year's objectives and the
//! action plan. The same [`Document`] becomes the PDF and the Word file.

use super::document::{Block, Document};
use super::settings::MinutesTemplate;
use super::ReviewView;
use bilan_domain::money::{Currency, Money};
use bilan_domain::reviews::pack::Pack;
use bilan_i18n::format::{decimal, integer, long_date, percent, score};
use bilan_i18n::{t, Lang};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn short_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%d %b %Y").to_string(),
    }
}

fn money(lang: Lang, amount: Decimal, currency: &str) -> String {
    let cur = Currency::parse(currency).unwrap_or(Currency::EUR);
    Money::from_decimal(amount.round_dp(cur.minor_digits()), cur)
        .map_or_else(|| amount.to_string(), |m| m.format(lang == Lang::Fr))
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".to_owned())
}

/// The file name of the minutes: "Compte rendu - Revue annuelle - Acme - 2026-12-15.pdf".
pub fn filename(v: &ReviewView, lang: Lang, ext: &str) -> String {
    let day = v.held_on.unwrap_or(v.planned_on);
    let name: String = v
        .account_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{} - {} - {} - {day}.{ext}",
        t(lang, "review.minutes.title"),
        t(lang, &format!("review.kind.{}", v.kind)),
        name.trim()
    )
}

/// The minutes of a held review as a document.
pub fn document(
    v: &ReviewView,
    pack: Option<&Pack>,
    template: &MinutesTemplate,
    company: &str,
    lang: Lang,
) -> Document {
    let l = |key: &str| t(lang, key).to_owned();
    let kind = l(&format!("review.kind.{}", v.kind));
    let mut b = Vec::new();
    b.push(Block::Title(format!("{} — {kind}", l("review.minutes.title"))));
    let day = v.held_on.unwrap_or(v.planned_on);
    let mut sub = vec![v.account_name.clone(), long_date(lang, day)];
    if let Some(place) = &v.location {
        sub.push(place.clone());
    }
    b.push(Block::Subtitle(sub.join(" · ")));
    b.push(Block::Paragraph(format!(
        "{} {} — {}",
        l("review.minutes.period"),
        long_date(lang, v.period_from),
        long_date(lang, v.period_to)
    )));

    b.push(Block::Heading(l("review.minutes.attendees")));
    b.push(Block::Table {
        header: vec![
            l("review.minutes.name"),
            l("review.minutes.side"),
            l("review.minutes.role"),
        ],
        rows: v
            .attendees
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    if a.side == "client" {
                        v.account_name.clone()
                    } else {
                        company.to_owned()
                    },
                    l(&format!("review.role.{}", a.role)),
                ]
            })
            .collect(),
        widths: vec![40, 35, 25],
    });

    if !v.agenda.is_empty() {
        b.push(Block::Heading(l("review.minutes.agenda")));
        b.push(Block::Bullets(
            v.agenda
                .iter()
                .map(|i| {
                    if i.minutes > 0 {
                        format!("{} — {} min", i.title, i.minutes)
                    } else {
                        i.title.clone()
                    }
                })
                .collect(),
        ));
    }

    if !v.round_table.is_empty() {
        b.push(Block::Heading(l("review.minutes.round_table")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.who"),
                l("review.minutes.satisfactions"),
                l("review.minutes.irritants"),
            ],
            rows: v
                .round_table
                .iter()
                .map(|r| vec![r.attendee.clone(), r.satisfactions.clone(), r.irritants.clone()])
                .collect(),
            widths: vec![22, 39, 39],
        });
    }

    if let Some(p) = pack {
        figures(&mut b, p, template, lang);
    }

    if !v.decisions.is_empty() {
        b.push(Block::Heading(l("review.minutes.decisions")));
        b.push(Block::Bullets(v.decisions.clone()));
    }
    if !v.objectives.is_empty() {
        b.push(Block::Heading(l("review.minutes.objectives_ahead")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.objective"),
                l("review.minutes.metric"),
                l("review.minutes.baseline"),
                l("review.minutes.target"),
                l("review.minutes.due"),
            ],
            rows: v
                .objectives
                .iter()
                .map(|o| {
                    vec![
                        o.title.clone(),
                        o.metric.clone(),
                        or_dash(o.baseline.clone()),
                        o.target.clone(),
                        short_date(lang, o.due_on),
                    ]
                })
                .collect(),
            widths: vec![36, 18, 14, 14, 18],
        });
    }
    if !v.action_items.is_empty() {
        b.push(Block::Heading(l("review.minutes.action_plan")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.what"),
                l("review.minutes.owner"),
                l("review.minutes.due"),
            ],
            rows: v
                .action_items
                .iter()
                .map(|a| vec![a.what.clone(), a.owner.clone(), short_date(lang, a.due_on)])
                .collect(),
            widths: vec![58, 24, 18],
        });
    }
    if let Some(n) = &v.notes {
        b.push(Block::Heading(l("review.minutes.notes")));
        b.push(Block::Paragraph(n.clone()));
    }
    let footer = if template.footer.is_empty() {
        company.to_owned()
    } else {
        template.footer.clone()
    };
    Document {
        title: format!("{} — {kind} — {}", l("review.minutes.title"), v.account_name),
        blocks: b,
        footer,
        accent: template.accent.clone(),
        page_word: l("review.minutes.page"),
    }
}

fn figures(b: &mut Vec<Block>, p: &Pack, template: &MinutesTemplate, lang: Lang) {
    let l = |key: &str| t(lang, key).to_owned();
    let s = &p.satisfaction.summary;
    b.push(Block::Heading(l("review.minutes.year_in_figures")));
    let mut key = vec![
        (l("review.pack.nps"), or_dash(s.nps.map(|d| score(lang, d)))),
        (l("review.pack.csat"), or_dash(s.csat.map(|d| percent(lang, d, 1)))),
        (
            l("review.pack.exchanges"),
            integer(lang, i64::try_from(p.exchanges.total).unwrap_or(i64::MAX)),
        ),
        (
            l("review.pack.response_hours"),
            or_dash(
                p.exchanges
                    .mean_response_hours
                    .map(|h| format!("{} h", decimal(lang, h, 1))),
            ),
        ),
        (l("review.pack.revenue"), money(lang, p.revenue.revenue, &p.currency)),
        (
            l("review.pack.growth"),
            or_dash(p.revenue.growth_pct.map(|g| percent(lang, g, 1))),
        ),
        (
            l("review.pack.dso"),
            or_dash(p.invoices.dso.map(|d| format!("{} j", decimal(lang, d, 1))).map(|s| {
                if lang == Lang::En {
                    s.replace(" j", " d")
                } else {
                    s
                }
            })),
        ),
        (
            l("review.pack.overdue"),
            money(lang, p.invoices.overdue_amount, &p.currency),
        ),
    ];
    if let Some(h) = &p.health {
        key.push((l("review.pack.health"), format!("{} / 100", h.score)));
    }
    key.push((
        l("review.pack.complaints"),
        integer(lang, i64::try_from(p.complaints.received).unwrap_or(0)),
    ));
    key.push((
        l("review.pack.beyond_contract"),
        integer(lang, i64::try_from(p.beyond_contract_count).unwrap_or(0)),
    ));
    if let Some(m) = p.revenue.margin {
        key.push((l("review.pack.margin"), money(lang, m, &p.currency)));
    }
    b.push(Block::Figures(key));
    if !p.exchanges.by_channel.is_empty() {
        b.push(Block::Bars {
            title: l("review.pack.by_channel"),
            bars: p
                .exchanges
                .by_channel
                .iter()
                .map(|c| {
                    let n = c.inbound + c.outbound;
                    (
                        l(&format!("channel.{}", c.channel)),
                        i64::try_from(n).unwrap_or(i64::MAX),
                        integer(lang, i64::try_from(n).unwrap_or(i64::MAX)),
                    )
                })
                .collect(),
        });
    }
    if template.health {
        if let Some(h) = &p.health {
            // At most about sixty points: the line's shape, not every day.
            let step = (h.history.len() / 60).max(1);
            let points: Vec<(String, i64)> = h
                .history
                .iter()
                .step_by(step)
                .map(|d| (short_date(lang, d.on), i64::from(d.score)))
                .collect();
            b.push(Block::Line {
                title: format!(
                    "{} — {}",
                    l("review.pack.health"),
                    l(&format!("health.band.{}", h.band))
                ),
                points,
            });
        }
    }
    if template.beyond_contract && !p.beyond_contract.is_empty() {
        b.push(Block::Heading(l("review.minutes.beyond_contract")));
        b.push(Block::Paragraph(l("review.minutes.beyond_contract_intro").replace(
            "{count}",
            &integer(lang, i64::try_from(p.beyond_contract_count).unwrap_or(0)),
        )));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.date"),
                l("review.minutes.channel"),
                l("review.minutes.subject"),
            ],
            rows: p
                .beyond_contract
                .iter()
                .map(|e| {
                    vec![
                        short_date(lang, e.on),
                        l(&format!("channel.{}", e.channel)),
                        [e.subject.clone(), e.summary.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" — "),
                    ]
                })
                .collect(),
            widths: vec![16, 16, 68],
        });
    }
    if template.satisfaction && (s.answers() > 0 || !p.satisfaction.verbatims.is_empty()) {
        b.push(Block::Heading(l("review.minutes.satisfaction")));
        b.push(Block::Paragraph(
            l("review.minutes.satisfaction_counts")
                .replace("{nps}", &s.nps_answers.to_string())
                .replace("{csat}", &s.csat_answers.to_string())
                .replace("{ces}", &s.ces_answers.to_string())
                .replace("{ces_score}", &or_dash(s.ces.map(|d| score(lang, d)))),
        ));
        if !p.satisfaction.verbatims.is_empty() {
            b.push(Block::Table {
                header: vec![
                    l("review.minutes.date"),
                    l("review.minutes.score"),
                    l("review.minutes.verbatim"),
                ],
                rows: p
                    .satisfaction
                    .verbatims
                    .iter()
                    .map(|v| {
                        vec![
                            short_date(lang, v.on),
                            format!("{} {}", v.kind.to_uppercase(), v.score),
                            match &v.contact {
                                Some(c) => format!("« {} » — {c}", v.comment),
                                None => format!("« {} »", v.comment),
                            },
                        ]
                    })
                    .collect(),
                widths: vec![16, 14, 70],
            });
        }
    }
    if template.complaints && !p.complaints.items.is_empty() {
        b.push(Block::Heading(l("review.minutes.complaints")));
        b.push(Block::Paragraph(
            l("review.minutes.complaints_summary")
                .replace("{received}", &p.complaints.received.to_string())
                .replace("{resolved}", &p.complaints.resolved.to_string())
                .replace("{open}", &p.complaints.open.to_string())
                .replace(
                    "{days}",
                    &or_dash(p.complaints.mean_days_to_resolve.map(|d| decimal(lang, d, 1))),
                ),
        ));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.reference"),
                l("review.minutes.subject"),
                l("review.minutes.received"),
                l("review.minutes.state"),
            ],
            rows: p
                .complaints
                .items
                .iter()
                .map(|c| {
                    vec![
                        c.reference.clone(),
                        c.subject.clone(),
                        short_date(lang, c.received_on),
                        l(&format!("complaints.state.{}", c.state)),
                    ]
                })
                .collect(),
            widths: vec![16, 52, 14, 18],
        });
    }
    if template.invoices {
        b.push(Block::Heading(l("review.minutes.invoices")));
        let i = &p.invoices;
        b.push(Block::Figures(vec![
            (l("review.pack.invoiced"), money(lang, i.invoiced_amount, &p.currency)),
            (l("review.pack.open"), money(lang, i.open_amount, &p.currency)),
            (l("review.pack.overdue"), money(lang, i.overdue_amount, &p.currency)),
            (
                l("review.pack.on_time"),
                or_dash(i.behaviour.on_time_pct.map(|d| percent(lang, d, 1))),
            ),
        ]));
    }
    if template.usage && !p.usage.is_empty() {
        b.push(Block::Heading(l("review.minutes.usage")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.metric"),
                l("review.minutes.first"),
                l("review.minutes.last"),
                l("review.minutes.change"),
            ],
            rows: p
                .usage
                .iter()
                .map(|u| {
                    vec![
                        u.metric.clone(),
                        decimal(lang, u.first, u.first.scale()),
                        decimal(lang, u.last, u.last.scale()),
                        or_dash(u.change_pct.map(|c| percent(lang, c, 1))),
                    ]
                })
                .collect(),
            widths: vec![40, 20, 20, 20],
        });
    }
    if !p.objectives.is_empty() {
        b.push(Block::Heading(l("review.minutes.objectives_past")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.objective"),
                l("review.minutes.target"),
                l("review.minutes.current"),
                l("review.minutes.state"),
            ],
            rows: p
                .objectives
                .iter()
                .map(|o| {
                    vec![
                        o.title.clone(),
                        format!("{} {}", o.target, o.metric),
                        or_dash(o.current.clone()),
                        l(&format!("objective.status.{}", o.status)),
                    ]
                })
                .collect(),
            widths: vec![44, 20, 16, 20],
        });
    }
    if !p.actions.items.is_empty() {
        b.push(Block::Heading(l("review.minutes.actions_past")));
        b.push(Block::Table {
            header: vec![
                l("review.minutes.what"),
                l("review.minutes.owner"),
                l("review.minutes.due"),
                l("review.minutes.state"),
            ],
            rows: p
                .actions
                .items
                .iter()
                .map(|a| {
                    vec![
                        a.what.clone(),
                        a.owner.clone(),
                        short_date(lang, a.due_on),
                        if a.overdue {
                            l("review.action.overdue")
                        } else {
                            l(&format!("review.action.status.{}", a.status))
                        },
                    ]
                })
                .collect(),
            widths: vec![46, 22, 14, 18],
        });
    }
}
