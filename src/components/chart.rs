//! Bar charts drawn as SVG on the server: no chart library, nothing fetched. Each chart has
//! a title and labelled axes, and carries the same numbers as a table for screen readers.

pub use crate::insights::Bar;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;

/// The smallest "round" number (1, 2 or 5 times a power of ten) at or above `value`, so the
/// axis reads 0, 25, 50… rather than 0, 23, 46….
pub fn round_up(value: i64) -> i64 {
    if value <= 0 {
        return 1;
    }
    let mut step = 1_i64;
    loop {
        for factor in [1, 2, 5] {
            let candidate = step.saturating_mul(factor);
            if candidate >= value {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Which labels to print under the bars so they never overlap (about eight at most),
/// counted back from the last bar, which is always labelled.
fn labelled(index: usize, count: usize) -> bool {
    let every = count.div_ceil(8).max(1);
    index < count && (count - 1 - index).is_multiple_of(every)
}

/// How many equal steps the y axis takes to `top` so every tick is a whole, round number.
fn steps(top: i64) -> i64 {
    match top {
        t if t <= 5 => t.max(1),
        t if t % 4 == 0 => 4,
        t if t % 5 == 0 => 5,
        _ => 2,
    }
}

/// A count on an axis, as it is ("40").
pub fn count_label(value: i64) -> String {
    value.to_string()
}

/// A bar chart with a title, labelled axes and its numbers as a hidden table.
#[component]
pub fn BarChart(
    /// Names the chart for everyone: shown above it and read as the picture's name.
    title: String,
    #[prop(into)] x_label: String,
    #[prop(into)] y_label: String,
    bars: Vec<Bar>,
    /// How a y-axis value is written ("$1,200", "40").
    y_format: fn(i64) -> String,
) -> impl IntoView {
    let id = format!("chart-{}", title.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let top = round_up(bars.iter().map(|bar| bar.value).max().unwrap_or(0));
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let slot = plot_w / bars.len().max(1) as f64;
    let y_of = move |value: i64| TOP + plot_h - (value.max(0) as f64 / top as f64) * plot_h;
    let ticks = steps(top);
    let grid = (0..=ticks)
        .map(|step| {
            let value = top * step / ticks;
            let y = y_of(value);
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                <text class="chart-tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{y_format(value)}</text>
            }
        })
        .collect_view();
    let count = bars.len();
    let columns = bars
        .iter()
        .enumerate()
        .map(|(index, bar)| {
            let x = LEFT + slot * index as f64 + slot * 0.15;
            let y = y_of(bar.value);
            let label = labelled(index, count).then(|| {
                view! {
                    <text class="chart-tick" x=x + slot * 0.35 y=TOP + plot_h + 16.0 text-anchor="middle">
                        {bar.label.clone()}
                    </text>
                }
            });
            view! {
                <rect class="chart-bar" x=x y=y width=slot * 0.7 height=TOP + plot_h - y>
                    <title>{format!("{}: {}", bar.label, bar.shown)}</title>
                </rect>
                {label}
            }
        })
        .collect_view();
    let rows = bars
        .iter()
        .map(|bar| view! { <tr><th scope="row">{bar.label.clone()}</th><td>{bar.shown.clone()}</td></tr> })
        .collect_view();
    let title_id = format!("{id}-title");
    let (figure_label, svg_label) = (title_id.clone(), title_id.clone());
    view! {
        <figure class="chart" aria-labelledby=figure_label>
            <figcaption id=title_id>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=svg_label
                preserveAspectRatio="xMidYMid meet">
                {grid}
                {columns}
                <line class="chart-axis" x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h />
                <text class="chart-axis-label" x=LEFT + plot_w / 2.0 y=HEIGHT - 6.0 text-anchor="middle">{x_label.clone()}</text>
                <text class="chart-axis-label" x=12.0 y=TOP + plot_h / 2.0 text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", TOP + plot_h / 2.0)>{y_label.clone()}</text>
            </svg>
            <table class="visually-hidden">
                <caption>{title}</caption>
                <thead><tr><th scope="col">{x_label}</th><th scope="col">{y_label}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ends_on_a_round_number_at_or_above_the_tallest_bar() {
        assert_eq!(round_up(0), 1);
        assert_eq!(round_up(1), 1);
        assert_eq!(round_up(3), 5);
        assert_eq!(round_up(7), 10);
        assert_eq!(round_up(46), 50);
        assert_eq!(round_up(180), 200);
        assert_eq!(round_up(125_000), 200_000);
    }

    #[test]
    fn thirty_days_print_about_eight_evenly_spaced_labels_ending_with_the_last() {
        let shown: Vec<usize> = (0..30).filter(|&i| labelled(i, 30)).collect();
        assert!(shown.len() <= 8, "{shown:?}");
        assert_eq!(shown.last(), Some(&29));
        assert!(shown.windows(2).all(|pair| pair[1] - pair[0] == 4), "{shown:?}");
        assert!((0..5).all(|i| labelled(i, 5)), "a short chart labels every bar");
    }

    #[test]
    fn every_tick_on_the_y_axis_is_a_whole_number() {
        for top in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] {
            let ticks = steps(top);
            assert_eq!(top % ticks, 0, "{top} in {ticks} steps");
        }
        assert_eq!(steps(50), 5);
        assert_eq!(steps(200), 4);
    }
}
