//! The page's URLs: what one asks for (a `#v1:` permalink, the query, embed mode and its
//! options), the permalink of the view shown, and the URLs and snippet that embed it.
//! Pure string work, tested natively; the app reads `location` and writes `history`.

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
    /// The value of `data-theme` on the root element.
    pub fn attribute(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Embed mode's options, from the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Show the step buttons (`controls=0` hides them: the sentence and diagram stay).
    pub controls: bool,
    /// `theme=light|dark`.
    pub theme: Option<Theme>,
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
            controls: true,
            theme: None,
        };
        for (key, value) in query_pairs(query) {
            match key {
                "controls" => options.controls = !matches!(value, "0" | "false" | "no"),
                "theme" => {
                    options.theme = match value {
                        "light" => Some(Theme::Light),
                        "dark" => Some(Theme::Dark),
                        _ => None,
                    }
                }
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
    if embed.is_some() && !initial.autoplay {
        initial.autoplay = Initial::from_query(query).autoplay;
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

/// The embed page for a view, as an absolute URL from the page's `base` (see
/// [`page_base`]): `embed.html` beside `index.html`, or `?embed=1` on any other file
/// (the single-file build). A built-in without an experiment gets a readable query;
/// anything else its permalink.
pub fn embed_url(base: &str, view: &ViewState) -> Option<String> {
    let (page, mut query) = match file_name(base) {
        "" => (format!("{base}embed.html"), String::new()),
        "index.html" | "embed.html" => (
            format!("{}embed.html", &base[..base.len() - file_name(base).len()]),
            String::new(),
        ),
        _ => (base.to_owned(), "embed=1".to_owned()),
    };
    match (&view.scenario, &view.experiment) {
        (ScenarioRef::Builtin(name), None) => {
            let mut add = |pair: String| {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&pair);
            };
            add(format!("scenario={name}"));
            add(format!("step={}", view.step + 1));
            if let Some(seed) = view.seed {
                add(format!("seed={seed}"));
            }
            Some(format!("{page}?{query}"))
        }
        _ => {
            let view = ViewState {
                panel: None,
                ..view.clone()
            };
            let fragment = fragment(&view)?;
            Some(if query.is_empty() {
                format!("{page}#{fragment}")
            } else {
                format!("{page}?{query}#{fragment}")
            })
        }
    }
}

/// The HTML that embeds `url` in another page (an iframe, so it needs no script).
pub fn embed_snippet(url: &str, title: &str) -> String {
    format!(
        "<iframe src=\"{}\" title=\"KMS Playground: {}\" width=\"100%\" height=\"560\" loading=\"lazy\" style=\"border:0\"></iframe>",
        escape_attribute(url),
        escape_attribute(title)
    )
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
        assert_eq!(
            r.embed,
            Some(EmbedOptions {
                controls: true,
                theme: None
            })
        );
        assert_eq!(r.initial.step, Some(2));
        let r = request("/", "?embed=1&controls=0&theme=dark&autoplay", "");
        assert_eq!(
            r.embed,
            Some(EmbedOptions {
                controls: false,
                theme: Some(Theme::Dark)
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
        assert_eq!(
            embed_url("https://h/p/", &v).as_deref(),
            Some("https://h/p/embed.html?scenario=workmail-basics&step=12")
        );
        assert_eq!(
            embed_url("https://h/p/index.html", &v).as_deref(),
            Some("https://h/p/embed.html?scenario=workmail-basics&step=12")
        );
        assert_eq!(
            embed_url("file:///d/kms-playground.html", &v).as_deref(),
            Some("file:///d/kms-playground.html?embed=1&scenario=workmail-basics&step=12")
        );
        let mut e = v.clone();
        e.experiment = Some(Experiment::CustomerManagedKey);
        let url = embed_url("https://h/p/", &e).expect("fits");
        let (_, f) = url.split_once("embed.html#").expect("a permalink");
        assert_eq!(
            permalink::decode(f).expect("decodes").experiment,
            e.experiment
        );
        assert_eq!(page_base("https://h/p/?a=1#v1:x"), "https://h/p/");
        let snippet = embed_snippet("https://h/embed.html?a=1&b=2", "A \"B\"");
        assert!(snippet.contains("src=\"https://h/embed.html?a=1&amp;b=2\""));
        assert!(snippet.contains("title=\"KMS Playground: A &quot;B&quot;\""));
    }
}
