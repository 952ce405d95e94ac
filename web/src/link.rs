//! The page's URLs: what one asks for (a `#v1:` permalink, the query, embed mode and its
//! options), the permalink of the view shown, and the URLs and code that embed it (with
//! the height the embed dialog's preview measured). Pure string work, tested natively;
//! the app reads `location` and writes `history`.

use kmsplay_core::permalink::{self, ScenarioRef, ViewState, MAX_FRAGMENT};

use crate::state::{Initial, Origin, State, Tab};

/// A forced colour theme (embed mode's `theme=`); otherwise the system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// The value of `data-theme` on the root element, and of `theme=` in an embed's URL.
    pub fn attribute(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Reads `light` or `dark`; anything else (`system`, empty) is the system's theme.
    pub fn parse(value: &str) -> Option<Theme> {
        match value {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
}

/// Embed mode's options, from the query string; the embed dialog writes them there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Show the step buttons (`controls=0` hides them: the sentence and diagram stay).
    pub controls: bool,
    /// `theme=light|dark`.
    pub theme: Option<Theme>,
    /// `autoplay`: play from the step shown once the run is there.
    pub autoplay: bool,
}

impl Default for EmbedOptions {
    /// What an embed shows without options: the step buttons, the system's theme, still.
    fn default() -> Self {
        EmbedOptions {
            controls: true,
            theme: None,
            autoplay: false,
        }
    }
}

impl EmbedOptions {
    /// The query pairs that ask for these options (none for the defaults), in the order
    /// the embed dialog writes them.
    fn query_pairs(self) -> impl Iterator<Item = String> {
        [
            (!self.controls).then(|| "controls=0".to_owned()),
            self.theme.map(|t| format!("theme={}", t.attribute())),
            self.autoplay.then(|| "autoplay=1".to_owned()),
        ]
        .into_iter()
        .flatten()
    }
}

/// What a URL asks the page to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// What to show.
    pub initial: Initial,
    /// Embed mode, if asked for (the path ends with `embed.html`, or `?embed=1`).
    pub embed: Option<EmbedOptions>,
}

fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// Reads a page URL's parts: `pathname`, `search` (with or without `?`) and `hash` (with
/// or without `#`). A `#v1:` fragment wins over the query; one that cannot be read gives
/// the default view and a notice saying why.
pub fn request(path: &str, query: &str, fragment: &str) -> Request {
    let embed_asked = path.ends_with("embed.html")
        || query_pairs(query).any(|(k, v)| k == "embed" && !matches!(v, "0" | "false"));
    let embed = embed_asked.then(|| {
        let mut options = EmbedOptions {
            autoplay: Initial::from_query(query).autoplay,
            ..EmbedOptions::default()
        };
        for (key, value) in query_pairs(query) {
            match key {
                "controls" => options.controls = !matches!(value, "0" | "false" | "no"),
                "theme" => options.theme = Theme::parse(value),
                _ => {}
            }
        }
        options
    });
    let fragment = fragment.trim_start_matches('#');
    let mut initial = if permalink::is_check(fragment) {
        match permalink::decode_check(fragment) {
            Ok(view) => Initial {
                check: Some(Box::new(view)),
                ..Initial::default()
            },
            Err(e) => Initial {
                notice: Some(format!("Could not open the policy check: {e}")),
                ..Initial::default()
            },
        }
    } else if !is_permalink(fragment) {
        Initial::from_query(query)
    } else {
        match permalink::decode(fragment) {
            Ok(view) => from_view(view),
            Err(e) => Initial {
                notice: Some(format!("Could not open the link: {e}")),
                ..Initial::default()
            },
        }
    };
    // Embed options are the embedding page's, whatever the fragment says.
    if let Some(options) = embed {
        initial.autoplay |= options.autoplay;
    }
    Request { initial, embed }
}

/// Whether a fragment is meant as a permalink (`v1:...`, or another version's): the
/// page's own anchors (`#diagram-heading`) never hold a colon.
pub fn is_permalink(fragment: &str) -> bool {
    fragment.trim_start_matches('#').contains(':')
}

/// What a permalink's view asks for.
pub fn from_view(view: ViewState) -> Initial {
    let (scenario, custom) = match view.scenario {
        ScenarioRef::Builtin(name) => (Some(name), None),
        ScenarioRef::Custom(value) => (None, Some(value)),
    };
    Initial {
        scenario,
        custom,
        step: Some(view.step),
        seed: view.seed,
        experiment: view.experiment,
        tab: view.panel.as_deref().and_then(Tab::from_slug),
        autoplay: false,
        notice: None,
        check: None,
    }
}

/// The view shown, as a permalink holds it; `None` before the first run.
pub fn view_state(state: &State) -> Option<ViewState> {
    let loaded = state.loaded.as_ref()?;
    let base = loaded.base();
    let scenario = match base.origin {
        Origin::Builtin(name) => ScenarioRef::Builtin(name.to_owned()),
        Origin::Edited => ScenarioRef::Custom(base.scenario.source.clone()),
    };
    Some(ViewState {
        scenario,
        seed: state.seed,
        step: state.step,
        experiment: loaded.experiment.as_ref().map(|e| e.experiment.clone()),
        panel: (state.tab != Tab::Step).then(|| state.tab.slug().to_owned()),
    })
}

/// The fragment (without `#`) of the page as shown: the policy check's while it is
/// shown, else the view's; `None` when too long for a link or before the first run.
pub fn page_fragment(state: &State) -> Option<String> {
    match (&state.check, state.checking) {
        (Some(c), true) => {
            let encoded = permalink::encode_check(&c.view());
            (encoded.len() <= MAX_FRAGMENT).then_some(encoded)
        }
        _ => fragment(&view_state(state)?),
    }
}

/// The fragment (without `#`) for a view, or `None` when it is too long for a link (a
/// very large edited scenario).
pub fn fragment(view: &ViewState) -> Option<String> {
    let encoded = permalink::encode(view);
    (encoded.len() <= MAX_FRAGMENT).then_some(encoded)
}

/// The page's own address without query or fragment: what a permalink is appended to.
pub fn page_base(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

/// The last segment of a path (`index.html`, `embed.html`, or empty for a directory).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// The "Open in playground" link of an embedded view: relative, to the full page of the
/// same directory (`index.html` beside `embed.html`, or this file without `?embed=1`).
pub fn playground_href(path: &str, fragment: Option<&str>) -> String {
    let name = file_name(path);
    let page = if name == "embed.html" {
        "index.html".to_owned()
    } else if name.is_empty() {
        "./".to_owned()
    } else {
        name.to_owned()
    };
    match fragment {
        Some(f) => format!("{page}#{f}"),
        None => page,
    }
}

/// Whether the embed page and `embed.js` are files beside the page at `base` (see
/// [`page_base`]): a directory, `index.html` or `embed.html`. The single-file build
/// embeds itself with `?embed=1` instead, and has no `embed.js`.
pub fn embeds_beside(base: &str) -> bool {
    matches!(file_name(base), "" | "index.html" | "embed.html")
}

/// `base`'s directory: `base` up to its last `/`.
fn directory(base: &str) -> &str {
    &base[..base.len() - file_name(base).len()]
}

/// The embed page for a view with `options`, as an absolute URL from the page's `base`
/// (see [`page_base`]): `embed.html` beside `index.html`, or `?embed=1` on any other file
/// (the single-file build). A built-in without an experiment gets a readable query
/// (`scenario`, 1-based `step`, `seed`); anything else its permalink, after the query of
/// the options (which embed mode reads from the query whatever the fragment says).
/// `None` when the permalink is too long for a link.
pub fn embed_url(base: &str, view: &ViewState, options: EmbedOptions) -> Option<String> {
    let (page, mut pairs) = if embeds_beside(base) {
        (format!("{}embed.html", directory(base)), Vec::new())
    } else {
        (base.to_owned(), vec!["embed=1".to_owned()])
    };
    let fragment = match (&view.scenario, &view.experiment) {
        (ScenarioRef::Builtin(name), None) => {
            pairs.push(format!("scenario={name}"));
            pairs.push(format!("step={}", view.step + 1));
            pairs.extend(view.seed.map(|seed| format!("seed={seed}")));
            None
        }
        _ => Some(fragment(&ViewState {
            panel: None,
            ..view.clone()
        })?),
    };
    pairs.extend(options.query_pairs());
    let mut url = page;
    if !pairs.is_empty() {
        url.push('?');
        url.push_str(&pairs.join("&"));
    }
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(&fragment);
    }
    Some(url)
}

/// The iframe's accessible name in embed code: the scenario's title.
fn frame_title(title: &str) -> String {
    format!("KMS Playground: {title}")
}

/// The HTML that embeds `url` in another page: an iframe, so it needs no script, as tall
/// as the flow is at the width it was measured for.
pub fn embed_snippet(url: &str, title: &str, height: u32) -> String {
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" loading=\"lazy\" style=\"border:0\"></iframe>",
        escape_attribute(url),
        escape_attribute(&frame_title(title))
    )
}

/// The same view as a `<kms-playground>` element (`embed.js`, beside the page at `base`),
/// with its script: the element sizes itself from the height the flow posts, and
/// `height` is what it shows before that. `None` where there is no `embed.js` (the
/// single-file build) or the view is too long for a link.
pub fn element_snippet(
    base: &str,
    view: &ViewState,
    options: EmbedOptions,
    title: &str,
    height: u32,
) -> Option<String> {
    if !embeds_beside(base) {
        return None;
    }
    let mut attributes: Vec<(&str, String)> = Vec::new();
    match (&view.scenario, &view.experiment) {
        (ScenarioRef::Builtin(name), None) => {
            attributes.push(("scenario", name.clone()));
            attributes.push(("step", (view.step + 1).to_string()));
            attributes.extend(view.seed.map(|seed| ("seed", seed.to_string())));
        }
        _ => {
            let view = ViewState {
                panel: None,
                ..view.clone()
            };
            attributes.push(("view", fragment(&view)?));
        }
    }
    if !options.controls {
        attributes.push(("controls", "0".to_owned()));
    }
    if let Some(theme) = options.theme {
        attributes.push(("theme", theme.attribute().to_owned()));
    }
    let mut element = String::from("<kms-playground");
    for (name, value) in attributes {
        element.push_str(&format!(" {name}=\"{}\"", escape_attribute(&value)));
    }
    if options.autoplay {
        element.push_str(" autoplay");
    }
    element.push_str(&format!(
        " height=\"{height}\" label=\"{}\"></kms-playground>",
        escape_attribute(&frame_title(title))
    ));
    Some(format!(
        "<script type=\"module\" src=\"{}\"></script>\n{element}",
        escape_attribute(&format!("{}embed.js", directory(base)))
    ))
}

/// The preview widths the embed dialog offers, in CSS pixels: a narrow column, a
/// documentation page's column, a wide one.
pub const PREVIEW_WIDTHS: [u32; 3] = [480, 700, 960];
/// The width the embed dialog previews at first: a documentation page's column.
pub const DEFAULT_PREVIEW_WIDTH: u32 = 700;
/// The narrowest and widest width the embed dialog previews at.
pub const PREVIEW_WIDTH_RANGE: std::ops::RangeInclusive<u32> = 280..=1600;

/// A width typed in the embed dialog ("the column's width", in CSS pixels, an optional
/// `px`), if it is a whole number in [`PREVIEW_WIDTH_RANGE`].
pub fn parse_width(text: &str) -> Option<u32> {
    let text = text.trim();
    let number = text.strip_suffix("px").unwrap_or(text).trim();
    number
        .parse::<u32>()
        .ok()
        .filter(|w| PREVIEW_WIDTH_RANGE.contains(w))
}

/// The height written into embed code before the preview has said its own: about a
/// flow's height in a 700 px column, with its step buttons.
pub const FALLBACK_HEIGHT: u32 = 820;
/// The heights an embed may be given (as `embed.js` bounds them).
const HEIGHT_RANGE: std::ops::RangeInclusive<u32> = 120..=4000;

/// The height of the embed dialog's preview: the last height its flow posted
/// (`{type: "kms-playground:height", height}`), which is the flow's height at the width
/// and step the preview shows (an earlier URL's until the new one reports: a better guess
/// than none), else [`FALLBACK_HEIGHT`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewHeight {
    last: Option<u32>,
    measured: bool,
}

impl PreviewHeight {
    /// The flow posted its height (CSS pixels; rounded up, bounded as `embed.js` bounds
    /// it). A height that is not a finite positive number is ignored.
    pub fn reported(self, height: f64) -> Self {
        if !height.is_finite() || height <= 0.0 {
            return self;
        }
        let (low, high) = (*HEIGHT_RANGE.start(), *HEIGHT_RANGE.end());
        // Within u32 after the clamp, so the cast neither wraps nor saturates.
        let height = height.ceil().clamp(f64::from(low), f64::from(high)) as u32;
        PreviewHeight {
            last: Some(height),
            measured: true,
        }
    }

    /// The preview loads another URL: its height is a guess until it reports again. (At
    /// another width it reports only if its height changed, so the last one holds.)
    pub fn reloaded(self) -> Self {
        PreviewHeight {
            measured: false,
            ..self
        }
    }

    /// Whether the preview has reported since it last loaded.
    pub fn measured(self) -> bool {
        self.measured
    }

    /// The height to write into embed code and to give the preview.
    pub fn height(self) -> u32 {
        self.last.unwrap_or(FALLBACK_HEIGHT)
    }
}

fn escape_attribute(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmsplay_core::scenario::experiment::Experiment;

    fn view(name: &str, step: usize) -> ViewState {
        ViewState {
            scenario: ScenarioRef::Builtin(name.into()),
            seed: None,
            step,
            experiment: None,
            panel: None,
        }
    }

    #[test]
    fn a_permalink_wins_over_the_query() {
        let mut v = view("ses-receive", 4);
        v.seed = Some(9);
        v.panel = Some("authorization".into());
        v.experiment = Some(Experiment::AdvanceClock { at: 2, seconds: 61 });
        let f = permalink::encode(&v);
        let r = request("/", "?scenario=workmail-basics&step=2", &format!("#{f}"));
        assert_eq!(r.embed, None);
        let i = r.initial;
        assert_eq!(i.scenario.as_deref(), Some("ses-receive"));
        assert_eq!(i.step, Some(4));
        assert_eq!(i.seed, Some(9));
        assert_eq!(i.tab, Some(Tab::Authorization));
        assert_eq!(i.experiment, v.experiment);
        assert!(i.notice.is_none());
    }

    #[test]
    fn a_bad_permalink_gives_the_default_view_and_says_why() {
        for bad in ["#v9:abc", "#v1:@@@", "#hello:there"] {
            let r = request("/", "?scenario=ses-receive", bad);
            assert_eq!(r.initial.scenario, None, "{bad}");
            let notice = r.initial.notice.expect("a notice");
            assert!(notice.contains("default view"), "{notice}");
        }
        assert!(request("/", "", "").initial.notice.is_none());
        // An anchor is not a permalink: the query still counts.
        let r = request("/", "?scenario=ses-receive", "#diagram-heading");
        assert!(r.initial.notice.is_none());
        assert_eq!(r.initial.scenario.as_deref(), Some("ses-receive"));
    }

    #[test]
    fn embed_mode_and_its_options() {
        assert_eq!(request("/docs/index.html", "", "").embed, None);
        let r = request("/a/embed.html", "?scenario=ses-receive&step=3", "");
        assert_eq!(r.embed, Some(EmbedOptions::default()));
        assert_eq!(r.initial.step, Some(2));
        let r = request("/", "?embed=1&controls=0&theme=dark&autoplay", "");
        assert_eq!(
            r.embed,
            Some(EmbedOptions {
                controls: false,
                theme: Some(Theme::Dark),
                autoplay: true,
            })
        );
        assert!(r.initial.autoplay);
        assert_eq!(request("/", "?embed=0", "").embed, None);
        // A permalink in an embed keeps the embedding page's autoplay.
        let f = permalink::encode(&view("ses-receive", 1));
        let r = request("/embed.html", "?autoplay=1", &f);
        assert!(r.initial.autoplay);
        assert_eq!(r.initial.step, Some(1));
    }

    #[test]
    fn the_playground_link_of_an_embed_is_relative() {
        assert_eq!(
            playground_href("/x/embed.html", Some("v1:abc")),
            "index.html#v1:abc"
        );
        assert_eq!(playground_href("/x/", Some("v1:abc")), "./#v1:abc");
        assert_eq!(
            playground_href("/x/kms-playground.html", None),
            "kms-playground.html"
        );
    }

    #[test]
    fn embed_urls_beside_the_page() {
        let v = view("workmail-basics", 11);
        let plain = EmbedOptions::default();
        assert_eq!(
            embed_url("https://h/p/", &v, plain).as_deref(),
            Some("https://h/p/embed.html?scenario=workmail-basics&step=12")
        );
        assert_eq!(
            embed_url("https://h/p/index.html", &v, plain).as_deref(),
            Some("https://h/p/embed.html?scenario=workmail-basics&step=12")
        );
        assert_eq!(
            embed_url("file:///d/kms-playground.html", &v, plain).as_deref(),
            Some("file:///d/kms-playground.html?embed=1&scenario=workmail-basics&step=12")
        );
        let mut e = v.clone();
        e.experiment = Some(Experiment::CustomerManagedKey);
        let url = embed_url("https://h/p/", &e, plain).expect("fits");
        let (_, f) = url.split_once("embed.html#").expect("a permalink");
        assert_eq!(
            permalink::decode(f).expect("decodes").experiment,
            e.experiment
        );
        assert_eq!(page_base("https://h/p/?a=1#v1:x"), "https://h/p/");
        let snippet = embed_snippet("https://h/embed.html?a=1&b=2", "A \"B\"", 815);
        assert!(snippet.contains("src=\"https://h/embed.html?a=1&amp;b=2\""));
        assert!(snippet.contains("title=\"KMS Playground: A &quot;B&quot;\""));
        assert!(snippet.contains(" height=\"815\""), "{snippet}");
    }

    #[test]
    fn embed_options_go_in_the_query_and_come_back_from_it() {
        let all = EmbedOptions {
            controls: false,
            theme: Some(Theme::Dark),
            autoplay: true,
        };
        let mut v = view("ses-receive", 2);
        v.seed = Some(7);
        assert_eq!(
            embed_url("https://h/p/", &v, all).as_deref(),
            Some("https://h/p/embed.html?scenario=ses-receive&step=3&seed=7&controls=0&theme=dark&autoplay=1")
        );
        // What embed mode reads back is what was written, for every combination, through
        // the readable query and through a permalink alike.
        let mut e = v.clone();
        e.experiment = Some(Experiment::CustomerManagedKey);
        for controls in [true, false] {
            for theme in [None, Some(Theme::Light), Some(Theme::Dark)] {
                for autoplay in [false, true] {
                    let options = EmbedOptions {
                        controls,
                        theme,
                        autoplay,
                    };
                    for (base, view) in [("https://h/p/", &v), ("https://h/p/index.html", &e)] {
                        let url = embed_url(base, view, options).expect("fits");
                        let (before, hash) = url.split_once('#').unwrap_or((&url, ""));
                        let (path, query) = before.split_once('?').unwrap_or((before, ""));
                        let path = path.trim_start_matches("https://h");
                        let r = request(path, query, hash);
                        assert_eq!(r.embed, Some(options), "{url}");
                        assert_eq!(r.initial.autoplay, autoplay, "{url}");
                        assert_eq!(r.initial.step, Some(2), "{url}");
                        assert_eq!(r.initial.seed, Some(7), "{url}");
                        assert_eq!(r.initial.experiment, view.experiment, "{url}");
                    }
                }
            }
        }
        // A permalink keeps its options in the query, before the fragment; the single
        // file's `embed=1` comes first.
        let url = embed_url("file:///d/kms-playground.html", &e, all).expect("fits");
        assert!(
            url.starts_with(
                "file:///d/kms-playground.html?embed=1&controls=0&theme=dark&autoplay=1#v1:"
            ),
            "{url}"
        );
        assert!(!embed_url("https://h/", &e, EmbedOptions::default())
            .expect("fits")
            .contains('?'));
    }

    #[test]
    fn the_element_form_mirrors_the_iframe() {
        let v = view("workmail-basics", 15);
        let options = EmbedOptions {
            controls: false,
            theme: Some(Theme::Light),
            autoplay: true,
        };
        assert_eq!(
            element_snippet("https://h/docs/", &v, options, "WorkMail", 815).as_deref(),
            Some(
                "<script type=\"module\" src=\"https://h/docs/embed.js\"></script>\n\
                 <kms-playground scenario=\"workmail-basics\" step=\"16\" controls=\"0\" theme=\"light\" \
                 autoplay height=\"815\" label=\"KMS Playground: WorkMail\"></kms-playground>"
            )
        );
        let plain = element_snippet(
            "https://h/embed.html",
            &v,
            EmbedOptions::default(),
            "<T>",
            600,
        )
        .expect("beside");
        assert!(plain.contains("src=\"https://h/embed.js\""), "{plain}");
        assert!(plain.contains("<kms-playground scenario=\"workmail-basics\" step=\"16\" height=\"600\" label=\"KMS Playground: &lt;T&gt;\">"), "{plain}");
        // An experiment travels as the element's `view`, the permalink without its panel.
        let mut e = v.clone();
        e.experiment = Some(Experiment::CustomerManagedKey);
        e.panel = Some("bytes".into());
        let code = element_snippet("https://h/", &e, options, "T", 700).expect("beside");
        let (_, rest) = code.split_once("view=\"").expect("a view");
        let (fragment, _) = rest.split_once('"').expect("closed");
        let decoded = permalink::decode(fragment).expect("decodes");
        assert_eq!(decoded.experiment, e.experiment);
        assert_eq!(decoded.step, 15);
        assert_eq!(decoded.panel, None);
        assert!(!code.contains("scenario=\""), "{code}");
        // The single file has no embed.js.
        assert_eq!(
            element_snippet("file:///d/kms-playground.html", &v, options, "T", 700),
            None
        );
        assert!(embeds_beside("https://h/p/index.html"));
        assert!(!embeds_beside("file:///d/kms-playground.html"));
    }

    #[test]
    fn widths_typed_in_the_dialog() {
        assert_eq!(parse_width("700"), Some(700));
        assert_eq!(parse_width(" 640px "), Some(640));
        assert_eq!(parse_width("640 px"), Some(640));
        for bad in ["", "wide", "-700", "70.5", "100", "99999", "1e3"] {
            assert_eq!(parse_width(bad), None, "{bad}");
        }
        assert!(PREVIEW_WIDTHS.contains(&DEFAULT_PREVIEW_WIDTH));
        assert!(PREVIEW_WIDTHS
            .iter()
            .all(|w| PREVIEW_WIDTH_RANGE.contains(w)));
    }

    #[test]
    fn the_preview_height_is_the_last_one_reported() {
        let h = PreviewHeight::default();
        assert_eq!(h.height(), FALLBACK_HEIGHT);
        assert!(!h.measured());
        let h = h.reported(814.2);
        assert_eq!((h.height(), h.measured()), (815, true));
        // Reflowing, stepped or playing, the flow grows and shrinks: the code follows.
        assert_eq!(h.reported(1185.0).reported(1003.0).height(), 1003);
        // Another URL: a guess until the new page reports.
        let h = h.reloaded();
        assert_eq!((h.height(), h.measured()), (815, false));
        let h = h.reported(1010.0);
        assert_eq!((h.height(), h.measured()), (1010, true));
        // Nonsense is ignored; extremes are bounded as embed.js bounds them.
        for bad in [f64::NAN, f64::INFINITY, -5.0, 0.0] {
            assert_eq!(h.reported(bad), h);
        }
        assert_eq!(h.reported(3.0).height(), 120);
        assert_eq!(h.reported(1e12).height(), 4000);
    }
}
