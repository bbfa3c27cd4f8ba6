//! QR codes of key URIs, as SVG and PNG (feature `qr`).

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

use super::uri::KeyUri;
use crate::error::{Error, Result};

/// Light modules around the code, as the QR specification requires.
pub const QUIET_ZONE: usize = 4;
/// Pixels per module in the SVG (it scales without loss anyway).
pub const SVG_MODULE_PX: u32 = 8;
/// The largest `module_px` [`KeyUri::to_qr_png`] accepts.
pub const MAX_PNG_MODULE_PX: u32 = 64;

impl KeyUri {
    /// The key URI as a QR code in SVG, for the enrolment page: black modules on white, 8
    /// units per module, with the 4-module quiet zone. Error correction level M (15 %). A key
    /// URI longer than a QR code holds (2,331 bytes; only with very long names) is an
    /// [`Error::Config`].
    ///
    /// The image contains the secret: serve it only to its user, with `Cache-Control:
    /// no-store`, and never log it.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Secret, Totp};
    /// let uri = KeyUri::totp(Totp::new(Secret::generate()?), "ACME", "ada@example.com")?;
    /// let svg = uri.to_qr_svg()?;
    /// assert!(svg.starts_with("<?xml"));
    /// assert!(svg.ends_with("</svg>"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn to_qr_svg(&self) -> Result<String> {
        let code = self.qr_code()?;
        Ok(code
            .render::<svg::Color<'_>>()
            .quiet_zone(true)
            .module_dimensions(SVG_MODULE_PX, SVG_MODULE_PX)
            .build())
    }

    /// The key URI as a QR code in PNG (1-bit greyscale), `module_px` pixels per module (1 to
    /// 64; anything else is an [`Error::Config`]), with the 4-module quiet zone. Error
    /// correction level M (15 %). A key URI too long for a QR code is an [`Error::Config`].
    ///
    /// The image contains the secret: serve it only to its user, with `Cache-Control:
    /// no-store`, and never log it.
    ///
    /// ```
    /// use lucia::otp::{KeyUri, Secret, Totp};
    /// let uri = KeyUri::totp(Totp::new(Secret::generate()?), "ACME", "ada@example.com")?;
    /// let png = uri.to_qr_png(6)?;
    /// assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    /// assert!(uri.to_qr_png(0).is_err());
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn to_qr_png(&self, module_px: u32) -> Result<Vec<u8>> {
        if !(1..=MAX_PNG_MODULE_PX).contains(&module_px) {
            return Err(Error::Config(format!(
                "a QR code's module size must be 1 to {MAX_PNG_MODULE_PX} pixels, not {module_px}"
            )));
        }
        let code = self.qr_code()?;
        let modules = code.width();
        let colors = code.to_colors();
        let scale = module_px as usize;
        let side = (modules + 2 * QUIET_ZONE) * scale;
        let row_bytes = side.div_ceil(8);
        // 1-bit greyscale: a set bit is white. Start all white, then blacken the dark modules.
        let mut pixels = vec![0xff_u8; row_bytes * side];
        for y in 0..side {
            let my = (y / scale).checked_sub(QUIET_ZONE).filter(|&m| m < modules);
            for x in 0..side {
                let mx = (x / scale).checked_sub(QUIET_ZONE).filter(|&m| m < modules);
                if let (Some(mx), Some(my)) = (mx, my)
                    && colors[my * modules + mx] == Color::Dark
                {
                    pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
                }
            }
        }
        let side = u32::try_from(side)
            .map_err(|_| Error::Config("the QR code is too large for a PNG".to_owned()))?;
        let png_error =
            |err: png::EncodingError| Error::Config(format!("PNG encoding failed: {err}"));
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&pixels).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
        Ok(out)
    }

    fn qr_code(&self) -> Result<QrCode> {
        QrCode::with_error_correction_level(self.to_uri().as_bytes(), EcLevel::M)
            .map_err(|err| Error::Config(format!("the key URI does not fit a QR code: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Hotp, Secret, Totp};
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn uri() -> KeyUri {
        KeyUri::totp(
            Totp::new(Secret::generate().unwrap()),
            "ACME Co",
            "ada.lovelace@example.com",
        )
        .unwrap()
    }

    /// Decodes a greyscale image (`dark(x, y)`) with an independent QR reader.
    fn read_qr(side: usize, dark: impl Fn(usize, usize) -> bool) -> String {
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if dark(x, y) { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn svg_draws_every_dark_module_and_decodes_to_the_uri() {
        let uri = uri();
        let svg = uri.to_qr_svg().unwrap();
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);

        let code = QrCode::with_error_correction_level(uri.to_uri(), EcLevel::M).unwrap();
        let modules = code.width();
        let side = (modules + 2 * QUIET_ZONE) * SVG_MODULE_PX as usize;
        assert!(svg.contains(&format!("width=\"{side}\" height=\"{side}\"")));
        let dark = code
            .to_colors()
            .iter()
            .filter(|&&c| c == Color::Dark)
            .count();
        // One `M x y h8v8H x V y` square per dark module.
        let (_, path) = svg.rsplit_once(" d=\"").unwrap();
        let path = path.strip_suffix("\"/></svg>").unwrap();
        let squares: Vec<&str> = path.split('M').skip(1).collect();
        assert_eq!(squares.len(), dark);

        // Rasterise the squares at one pixel per module and read the code back.
        let units = modules + 2 * QUIET_ZONE;
        let mut grid = vec![false; units * units];
        for square in squares {
            let (x, rest) = square.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            assert!(rest.starts_with("8v8H"), "{square}");
            let x: usize = x.parse().unwrap();
            let y: usize = y.parse().unwrap();
            assert_eq!((x % 8, y % 8), (0, 0));
            grid[(y / 8) * units + x / 8] = true;
        }
        for (i, color) in code.to_colors().into_iter().enumerate() {
            let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
            assert_eq!(grid[my * units + mx], color == Color::Dark);
        }
        let scale = 4;
        let decoded = read_qr(units * scale, |x, y| grid[(y / scale) * units + x / scale]);
        assert_eq!(decoded, uri.to_uri());
    }

    #[test]
    fn png_matches_the_module_grid_and_decodes_to_the_uri() {
        let hotp = KeyUri::hotp(Hotp::new(Secret::generate().unwrap()), 0, "ACME", "ada").unwrap();
        for (uri, module_px) in [(uri(), 1), (uri(), 5), (hotp, 8)] {
            let png = uri.to_qr_png(module_px).unwrap();
            let mut decoder = png::Decoder::new(std::io::Cursor::new(&png));
            decoder.set_transformations(png::Transformations::EXPAND);
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!(info.color_type, png::ColorType::Grayscale);
            assert_eq!(info.bit_depth, png::BitDepth::Eight);
            let side = info.width as usize;
            assert_eq!(info.height as usize, side);
            let pixels = &buf[..info.buffer_size()];
            assert!(pixels.iter().all(|&p| p == 0 || p == 255));

            let code = QrCode::with_error_correction_level(uri.to_uri(), EcLevel::M).unwrap();
            let modules = code.width();
            let scale = module_px as usize;
            assert_eq!(side, (modules + 2 * QUIET_ZONE) * scale);
            let colors = code.to_colors();
            for y in 0..side {
                for x in 0..side {
                    let (mx, my) = (x / scale, y / scale);
                    let inside = (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx)
                        && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
                    let dark = inside
                        && colors[(my - QUIET_ZONE) * modules + mx - QUIET_ZONE] == Color::Dark;
                    assert_eq!(pixels[y * side + x] == 0, dark, "pixel ({x}, {y})");
                }
            }
            if module_px > 1 {
                assert_eq!(
                    read_qr(side, |x, y| pixels[y * side + x] == 0),
                    uri.to_uri()
                );
            }
        }
    }

    #[test]
    fn png_module_size_limits() {
        let uri = uri();
        assert!(matches!(uri.to_qr_png(0), Err(Error::Config(_))));
        assert!(uri.to_qr_png(MAX_PNG_MODULE_PX + 1).is_err());
        assert!(uri.to_qr_png(MAX_PNG_MODULE_PX).is_ok());
    }

    #[test]
    fn key_uris_too_long_for_a_qr_code_are_config_errors() {
        // 255-byte names of characters that take three bytes encoded: 2.4 kB, more than a
        // QR code holds at level M (2,331 bytes).
        let long = "%".repeat(255);
        let totp = Totp::new(Secret::generate_with_len(128).unwrap());
        let uri = KeyUri::totp(totp.clone(), &long, &long).unwrap();
        assert!(uri.to_uri().len() > 2331);
        assert!(matches!(uri.to_qr_svg(), Err(Error::Config(_))));
        assert!(matches!(uri.to_qr_png(1), Err(Error::Config(_))));
        // Long but plausible names fit.
        let name = "x".repeat(255);
        let uri = KeyUri::totp(totp, &name, &name).unwrap();
        assert!(uri.to_qr_svg().is_ok());
        assert!(uri.to_qr_png(1).is_ok());
    }
}
