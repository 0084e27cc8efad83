use super::*;
use crate::qr::color::Rgb;
use crate::qr::gradient::{Gradient, GradientKind};
use crate::qr::payload::{ParamKind, check_value};

fn parse(pairs: &[(&str, &str)]) -> Result<Design, DesignError> {
    Design::from_params(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
}

fn refused(pairs: &[(&str, &str)]) -> DesignError {
    parse(pairs).expect_err("refused")
}

#[test]
fn no_parameters_give_the_documented_defaults() {
    let d = parse(&[]).unwrap();
    assert_eq!(
        (d.format, d.size, d.ecc, d.margin),
        (Format::Png, 512, Ecc::M, 4)
    );
    let black = Paint::Solid(Rgb::BLACK);
    assert_eq!(
        (&d.fg, &d.bg, &d.eye_frame_color, &d.eye_ball_color),
        (&black, &Background::Color(Rgb::WHITE), &black, &black)
    );
    assert_eq!(
        (d.eye_frame, d.eye_ball),
        (EyeFrame::Square, EyeBall::Square)
    );
    assert!(d.is_plain() && !d.download && !d.verify);
}

#[test]
fn sizes_and_margins_are_range_checked() {
    assert_eq!(parse(&[("size", "64")]).unwrap().size, 64);
    assert_eq!(parse(&[("size", "4096")]).unwrap().size, 4096);
    assert_eq!(refused(&[("size", "63")]).parameter, "size");
    assert_eq!(refused(&[("size", "4097")]).parameter, "size");
    assert_eq!(refused(&[("size", "12.5")]).parameter, "size");
    assert_eq!(refused(&[("margin", "17")]).parameter, "margin");
    assert_eq!(refused(&[("margin", "-1")]).parameter, "margin");
}

#[test]
fn low_contrast_is_refused_unless_allowed() {
    let err = refused(&[("fg", "#777777"), ("bg", "#888888")]);
    assert_eq!(err.parameter, "fg");
    assert!(err.message.contains(":1"), "{}", err.message);
    assert!(
        parse(&[
            ("fg", "#777777"),
            ("bg", "#888888"),
            ("allow_low_contrast", "true")
        ])
        .is_ok()
    );
}

#[test]
fn inverted_colours_are_refused_unless_allowed() {
    let err = refused(&[("fg", "#ffffff"), ("bg", "#000000")]);
    assert!(err.message.contains("lighter"), "{}", err.message);
    assert!(
        parse(&[
            ("fg", "#ffffff"),
            ("bg", "#000000"),
            ("allow_low_contrast", "1")
        ])
        .is_ok()
    );
}

#[test]
fn a_pale_eye_colour_is_checked_too() {
    for name in ["eye_color", "eye_frame_color", "eye_ball_color"] {
        let err = refused(&[(name, "#eeeeee")]);
        assert_eq!(err.parameter, name);
        assert!(err.message.contains(":1"), "{}", err.message);
    }
}

#[test]
fn transparent_backgrounds_are_checked_against_white() {
    assert!(parse(&[("bg", "transparent")]).is_ok());
    assert_eq!(
        refused(&[("bg", "transparent"), ("fg", "#dddddd")]).parameter,
        "fg"
    );
}

#[test]
fn every_gradient_stop_is_checked_against_the_background() {
    // The second stop is pale: the ratio in the message is that stop's.
    let err = refused(&[("fg_gradient", "linear:0:#000000,#cccccc")]);
    assert_eq!(err.parameter, "fg_gradient");
    assert!(err.message.contains("#cccccc"), "{}", err.message);
    assert!(err.message.contains("1.6"), "{}", err.message);
    let err = refused(&[("eye_gradient", "radial:#000000,#000000,#dddddd")]);
    assert_eq!(err.parameter, "eye_gradient");
    assert!(
        parse(&[
            ("fg_gradient", "linear:0:#000000,#cccccc"),
            ("allow_low_contrast", "true")
        ])
        .is_ok()
    );
}

#[test]
fn every_background_stop_is_checked_against_every_colour() {
    let err = refused(&[("bg_gradient", "linear:90:#ffffff,#555555")]);
    assert_eq!(err.parameter, "bg_gradient");
    assert!(err.message.contains("#555555"), "{}", err.message);
    // Fine against black; too dark behind light blue eyes.
    assert!(parse(&[("bg_gradient", "linear:90:#ffffff,#bbbbbb")]).is_ok());
    let err = refused(&[
        ("bg_gradient", "linear:90:#ffffff,#bbbbbb"),
        ("eye_color", "#3b82f6"),
    ]);
    assert_eq!(err.parameter, "bg_gradient");
}

#[test]
fn gradients_replace_their_colours() {
    let d = parse(&[
        ("fg", "#111111"),
        ("fg_gradient", "linear:45:#1d4ed8,#9333ea"),
        ("bg_gradient", "radial:#ffffff,#e0f2fe"),
    ])
    .unwrap();
    let g = Gradient::parse("linear:45:#1d4ed8,#9333ea").unwrap();
    assert_eq!(d.fg, Paint::Gradient(g.clone(), Span::Symbol));
    // The eyes follow the modules' paint, across the same span.
    assert_eq!(d.eye_frame_color, Paint::Gradient(g, Span::Symbol));
    assert!(matches!(&d.bg, Background::Gradient(b) if b.kind == GradientKind::Radial));
    assert!(!d.is_plain() && !d.has_solid_colors());
}

#[test]
fn the_plain_colour_around_a_gradient_is_its_lightest_stop() {
    let d = parse(&[("bg_gradient", "radial:#dfdff1,#faffff,#e0f2fe")]).unwrap();
    assert_eq!(d.bg.plain(), Rgb(0xfa, 0xff, 0xff));
    let d = parse(&[("bg", "#fef3c7")]).unwrap();
    assert_eq!(d.bg.plain(), Rgb(0xfe, 0xf3, 0xc7));
    let d = parse(&[("bg", "transparent")]).unwrap();
    assert_eq!(d.bg.plain(), Rgb::WHITE);
}

#[test]
fn a_framed_or_captioned_code_keeps_a_margin_of_at_least_two_modules() {
    let margin = |pairs: &[(&str, &str)]| parse(pairs).unwrap().margin;
    assert_eq!(margin(&[("margin", "0"), ("frame", "banner_top")]), 2);
    assert_eq!(margin(&[("margin", "1"), ("caption", "Menu")]), 2);
    assert_eq!(margin(&[("margin", "3"), ("frame", "box")]), 3);
    // A bare code takes its quiet zone from the page: any margin stays.
    assert_eq!(margin(&[("margin", "0")]), 0);
}

#[test]
fn eye_colours_follow_their_precedence() {
    let d = parse(&[
        ("eye_gradient", "linear:90:#1d4ed8,#0f172a"),
        ("eye_ball_color", "#b91c1c"),
    ])
    .unwrap();
    assert!(matches!(
        d.eye_frame_color,
        Paint::Gradient(_, Span::EachEye)
    ));
    assert_eq!(d.eye_ball_color, Paint::Solid(Rgb(0xb9, 0x1c, 0x1c)));
    let d = parse(&[("eye_color", "#1d4ed8"), ("eye_frame_color", "#0f172a")]).unwrap();
    assert_eq!(d.eye_frame_color, Paint::Solid(Rgb(0x0f, 0x17, 0x2a)));
    assert_eq!(d.eye_ball_color, Paint::Solid(Rgb(0x1d, 0x4e, 0xd8)));
    // A gradient replaces the colour beside it.
    let d = parse(&[
        ("eye_color", "#1d4ed8"),
        ("eye_gradient", "linear:90:#1d4ed8,#0f172a"),
    ])
    .unwrap();
    assert!(matches!(
        d.eye_ball_color,
        Paint::Gradient(_, Span::EachEye)
    ));
}

#[test]
fn bad_gradients_are_refused_naming_the_parameter_and_the_fault() {
    for name in ["fg_gradient", "bg_gradient", "eye_gradient"] {
        let err = refused(&[(name, "linear:45:#1d4ed8")]);
        assert_eq!(err.parameter, name);
        assert!(err.message.contains("2 to 4 colours"), "{}", err.message);
        let err = refused(&[(name, "spiral:#000000,#111111")]);
        assert!(
            err.message.contains("linear: or radial:"),
            "{}",
            err.message
        );
    }
}

#[test]
fn eye_shape_is_a_shorthand_that_the_parts_override() {
    let d = parse(&[("eye_shape", "circle")]).unwrap();
    assert_eq!(
        (d.eye_frame, d.eye_ball),
        (EyeFrame::RoundHole, EyeBall::Circle)
    );
    let d = parse(&[("eye_shape", "circle"), ("eye_ball", "square")]).unwrap();
    assert_eq!(
        (d.eye_frame, d.eye_ball),
        (EyeFrame::RoundHole, EyeBall::Square)
    );
    let d = parse(&[("eye_frame", "leaf"), ("eye_shape", "rounded")]).unwrap();
    assert_eq!(
        (d.eye_frame, d.eye_ball),
        (EyeFrame::Leaf, EyeBall::Rounded)
    );
}

#[test]
fn the_table_drives_validation() {
    let mut specs = DESIGN_SPECS.to_vec();
    let size = specs.iter_mut().find(|s| s.name == "size").unwrap();
    size.kind = ParamKind::Integer {
        min: 64,
        max: 1000,
        unit: "pixels",
    };
    size.default = Some("300");
    let get = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    };
    assert_eq!(Design::from_table(&specs, get(&[])).unwrap().size, 300);
    let err = Design::from_table(&specs, get(&[("size", "2000")])).unwrap_err();
    assert_eq!(err.parameter, "size");
    assert!(err.message.contains("64 to 1000 pixels"), "{}", err.message);
    assert_eq!(parse(&[("size", "2000")]).unwrap().size, 2000);
}

#[test]
fn every_allowed_value_of_every_enum_is_usable() {
    for spec in DESIGN_SPECS {
        if let ParamKind::Enum(allowed) = spec.kind {
            for value in allowed {
                assert!(
                    parse(&[(spec.name, value)]).is_ok(),
                    "{}={value}",
                    spec.name
                );
            }
        }
    }
}

#[test]
fn the_examples_and_defaults_are_valid_and_make_a_design_together() {
    for spec in DESIGN_SPECS {
        assert!(!spec.required, "{} must be optional", spec.name);
        assert!(!spec.description.is_empty());
        for value in spec.default.into_iter().chain([spec.example]) {
            if !value.is_empty() {
                assert!(check_value(spec, value).is_ok(), "{}={value}", spec.name);
            }
        }
    }
    let examples: Vec<(&str, &str)> = DESIGN_SPECS
        .iter()
        .map(|spec| (spec.name, spec.example))
        .collect();
    let design = parse(&examples).unwrap();
    assert_eq!(design.module_shape, ModuleShape::Rounded);
    assert_eq!(design.eye_ball, EyeBall::Circle);
    assert_eq!(design.eye_frame_color, Paint::Solid(Rgb(0x1d, 0x4e, 0xd8)));
}

#[test]
fn the_accepted_names_are_the_table_plus_the_key_and_clash_with_no_content_name() {
    assert_eq!(DESIGN_PARAMS.len(), DESIGN_SPECS.len() + 1);
    for spec in DESIGN_SPECS {
        assert!(DESIGN_PARAMS.contains(&spec.name));
    }
    assert!(DESIGN_PARAMS.contains(&"allow_low_contrast"));
    assert!(DESIGN_PARAMS.contains(&"api_key"));
    for (i, name) in DESIGN_PARAMS.iter().enumerate() {
        assert!(!DESIGN_PARAMS[..i].contains(name), "duplicate {name}");
        for kind in crate::qr::payload::QrType::ALL {
            assert!(
                kind.params().iter().all(|p| p.name != *name),
                "{name} is also a {} parameter",
                kind.as_str()
            );
        }
    }
}

#[test]
fn unknown_values_name_their_parameter() {
    for (name, value) in [
        ("format", "gif"),
        ("ecc", "X"),
        ("module_shape", "heart"),
        ("eye_shape", "heart"),
        ("eye_frame", "heart"),
        ("eye_ball", "heart"),
        ("fg", "blue"),
        ("eye_frame_color", "blue"),
        ("download", "maybe"),
        ("verify", "maybe"),
        ("logo", "../etc"),
        ("fg_gradient", "#000000"),
    ] {
        assert_eq!(refused(&[(name, value)]).parameter, name, "{name}={value}");
    }
}
