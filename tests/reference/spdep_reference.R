# Reference values from R spdep for the london-hotspots statistics tests.
#
# One-off generation script, run by a developer (CI has no R). It reads the real London source
# files from a data directory and writes CSV files that the Python tests compare against.
#
# Usage (from the repository root):
#   Rscript tests/reference/spdep_reference.R <data-dir> [<output-dir>]
# e.g.
#   Rscript tests/reference/spdep_reference.R ../shared/data tests/data/reference
#
# <data-dir> is the folder described in the project data README (boundaries/, crime/,
# population/). <output-dir> defaults to tests/data/reference. See tests/reference/README.md for
# what each output file holds and the exact spdep conventions.

suppressPackageStartupMessages({
  library(sf)
  library(spdep)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1L) {
  stop("usage: Rscript spdep_reference.R <data-dir> [<output-dir>]")
}
data_dir <- normalizePath(args[[1L]], mustWork = TRUE)
out_dir <- if (length(args) >= 2L) args[[2L]] else file.path("tests", "data", "reference")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

CITY <- "E09000001" # City of London: not policed by the Met -> no data
SNAP <- sqrt(.Machine$double.eps) # poly2nb default snap (map units = metres)
invisible(set.ZeroPolicyOption(FALSE)) # fail loudly if any area has no neighbours

# ---------------------------------------------------------------------------------------------
# writing helpers: every double with 17 significant digits, NA as an empty field
# ---------------------------------------------------------------------------------------------
fmt_column <- function(v) {
  if (is.numeric(v)) {
    out <- sprintf("%.17g", v)
    out[is.na(v)] <- ""
    out
  } else {
    out <- as.character(v)
    out[is.na(v)] <- ""
    out
  }
}

write_ref <- function(df, name) {
  df[] <- lapply(df, fmt_column)
  path <- file.path(out_dir, name)
  con <- if (endsWith(name, ".gz")) gzfile(path, "w", compression = 9) else file(path, "w")
  write.csv(df, con, row.names = FALSE, quote = FALSE, na = "")
  close(con)
  message(sprintf("wrote %-40s %6d rows  %8d bytes", name, nrow(df), file.size(path)))
}

nb_table <- function(nb, codes) {
  focal <- rep(codes, card(nb))
  neighbour <- codes[unlist(lapply(nb, function(v) v[v > 0L]))]
  data.frame(focal = focal, neighbour = neighbour)
}

two_sided <- function(z) 2 * pnorm(abs(z), lower.tail = FALSE)

# ---------------------------------------------------------------------------------------------
# population: Census 2021 usual residents (TS007B `Total`) per LSOA 2021
# ---------------------------------------------------------------------------------------------
read_census_lsoa <- function() {
  path <- file.path(data_dir, "population", "census2021_TS007B_age_by_broad_bands_lsoa21_EW.csv")
  lines <- readLines(path, warn = FALSE)
  header <- grep('^"Area","mnemonic"', lines)[1L]
  tab <- read.csv(text = lines[header:length(lines)], check.names = FALSE,
                  colClasses = "character")
  tab <- tab[grepl("^[EW]01[0-9]{6}$", tab$mnemonic), c("mnemonic", "Total")]
  stopifnot(!anyDuplicated(tab$mnemonic))
  setNames(as.numeric(tab$Total), tab$mnemonic)
}
lsoa_pop <- read_census_lsoa()

# ---------------------------------------------------------------------------------------------
# statistics common to both cases
# ---------------------------------------------------------------------------------------------
moran_row <- function(x, lw) {
  r <- moran.test(x, lw, randomisation = TRUE, alternative = "two.sided")
  nrm <- moran.test(x, lw, randomisation = FALSE, alternative = "two.sided")
  wc <- spweights.constants(lw)
  data.frame(
    style = lw$style,
    I = unname(r$estimate[1L]), expected = unname(r$estimate[2L]),
    variance = unname(r$estimate[3L]), z = unname(r$statistic), p = r$p.value,
    variance_normality = unname(nrm$estimate[3L]), z_normality = unname(nrm$statistic),
    p_normality = nrm$p.value,
    n = wc$n, S0 = wc$S0, S1 = wc$S1, S2 = wc$S2
  )
}

moran_rows <- function(x, nb) {
  do.call(rbind, lapply(c("W", "B"), function(style) moran_row(x, nb2listw(nb, style = style))))
}

general_g_row <- function(x, nb) {
  lw <- nb2listw(nb, style = "B")
  r <- globalG.test(x, lw, alternative = "two.sided")
  data.frame(
    style = "B",
    G = unname(r$estimate[1L]), expected = unname(r$estimate[2L]),
    variance = unname(r$estimate[3L]), z = unname(r$statistic), p = r$p.value
  )
}

local_table <- function(x, nb, codes) {
  lw_w <- nb2listw(nb, style = "W")
  lw_b <- nb2listw(nb, style = "B")
  lm_c <- localmoran(x, lw_w, conditional = TRUE, mlvar = TRUE, alternative = "two.sided")
  lm_t <- localmoran(x, lw_w, conditional = FALSE, mlvar = TRUE, alternative = "two.sided")
  lm_f <- localmoran(x, lw_w, conditional = TRUE, mlvar = FALSE, alternative = "two.sided")
  stopifnot(isTRUE(all.equal(lm_c[, "Ii"], lm_t[, "Ii"], tolerance = 0)))
  nb_self <- include.self(nb)
  gstar_b <- localG(x, nb2listw(nb_self, style = "B"), return_internals = TRUE)
  gi_w <- localG(x, lw_w)
  gi_b <- localG(x, lw_b)
  internals <- attr(gstar_b, "internals")
  data.frame(
    code = codes,
    Ii = lm_c[, "Ii"],
    E_Ii_conditional = lm_c[, "E.Ii"],
    Var_Ii_conditional = lm_c[, "Var.Ii"],
    Z_Ii_conditional = lm_c[, "Z.Ii"],
    E_Ii_total = lm_t[, "E.Ii"],
    Var_Ii_total = lm_t[, "Var.Ii"],
    Z_Ii_total = lm_t[, "Z.Ii"],
    Ii_mlvar_false = lm_f[, "Ii"],
    quadrant = as.character(attr(lm_c, "quadr")$pysal),
    gistar_B = as.numeric(gstar_b),
    gistar_B_p = two_sided(as.numeric(gstar_b)),
    gistar_B_G = internals[, 1L],
    gi_W = as.numeric(gi_w),
    gi_B = as.numeric(gi_b)
  )
}

# `compress`: write the neighbour list and local table gzipped (.csv.gz) to keep the large LSOA
# case small in the repository; pandas.read_csv reads them directly.
run_case <- function(case, layer, codes, value, population, compress = FALSE) {
  ext <- if (compress) ".csv.gz" else ".csv"
  has_data <- !is.na(value)
  sub <- layer[has_data, ]
  sub_codes <- codes[has_data]
  x <- value[has_data]
  nb <- poly2nb(sub, queen = TRUE, row.names = sub_codes, snap = SNAP)
  stopifnot(all(card(nb) > 0L), is.symmetric.nb(nb, force = TRUE))
  write_ref(data.frame(code = codes, value = value, population = population),
            paste0(case, "_values.csv"))
  write_ref(nb_table(nb, sub_codes), paste0(case, "_nb", ext))
  write_ref(moran_rows(x, nb), paste0(case, "_moran.csv"))
  write_ref(general_g_row(x, nb), paste0(case, "_general_g.csv"))
  write_ref(local_table(x, nb, sub_codes), paste0(case, "_local", ext))
  list(sub = sub, codes = sub_codes, x = x, nb = nb, pop = population[has_data])
}

# ---------------------------------------------------------------------------------------------
# case 1: wards_weapons (680 wards, City merged into one area)
# ---------------------------------------------------------------------------------------------
wards <- st_read(file.path(data_dir, "boundaries", "ons_wards_2024", "london_wards_merged.shp"),
                 quiet = TRUE)
stopifnot(nrow(wards) == 680L, !anyDuplicated(wards$WD24CD))

mps <- read.csv(
  file.path(data_dir, "crime", "MPS Ward Level Crime (most recent 24 months) 202307-202506.csv"),
  check.names = FALSE, colClasses = c(MajorText = "character", WardCode = "character")
)
months <- as.character(c(202407:202412, 202501:202506))
stopifnot(all(months %in% names(mps)))
weapons <- mps[mps$MajorText == "POSSESSION OF WEAPONS", ]
weapon_counts <- c(tapply(rowSums(weapons[, months]), weapons$WardCode, sum))
covered <- unique(mps$WardCode) # every ward with any Met row is covered; absent rows = 0
stopifnot(all(covered %in% wards$WD24CD))
ward_value <- ifelse(wards$WD24CD %in% covered, 0, NA_real_)
hit <- wards$WD24CD %in% names(weapon_counts)
ward_value[hit] <- weapon_counts[wards$WD24CD[hit]]
stopifnot(identical(wards$WD24CD[is.na(ward_value)], CITY))

lookup <- read.csv(file.path(data_dir, "population", "lookup_lsoa21_to_ward24_citymerged.csv"),
                   check.names = FALSE, colClasses = "character")
stopifnot(!anyDuplicated(lookup[["LSOA code"]]), all(lookup[["LSOA code"]] %in% names(lsoa_pop)))
ward_pop_all <- tapply(lsoa_pop[lookup[["LSOA code"]]], lookup[["Ward code"]], sum)
ward_pop <- as.numeric(ward_pop_all[wards$WD24CD])
stopifnot(!anyNA(ward_pop))

w <- run_case("wards_weapons", wards, wards$WD24CD, ward_value, ward_pop)

# empirical Bayes rates and the Assuncao-Reis EB Moran (style W) on the wards with data
lw_w <- nb2listw(w$nb, style = "W")
eb <- EBest(w$x, w$pop)
set.seed(20240701)
ebi <- suppressMessages(EBImoran.mc(w$x, w$pop, lw_w, nsim = 99))
eb_pars <- attr(eb, "parameters")
write_ref(
  data.frame(
    code = w$codes, value = w$x, population = w$pop,
    raw = eb$raw, estmm = eb$estmm, eb_z = ebi$z,
    a = eb_pars$a, b = eb_pars$b, ebi_statistic = unname(ebi$statistic)
  ),
  "wards_weapons_eb.csv"
)

# k-nearest neighbours (k = 6) on the polygon centroids of the wards with data
cent <- st_coordinates(st_centroid(st_geometry(w$sub)))
write_ref(data.frame(code = w$codes, x = cent[, 1L], y = cent[, 2L]),
          "wards_weapons_knn6_centroids.csv")
knn <- knearneigh(cent, k = 6)
nb_knn <- knn2nb(knn, row.names = w$codes, sym = FALSE)
write_ref(nb_table(nb_knn, w$codes), "wards_weapons_knn6_nb.csv")
lw_knn <- nb2listw(nb_knn, style = "W")
write_ref(moran_row(w$x, lw_knn), "wards_weapons_knn6_moran.csv")
nb_knn_self <- include.self(nb_knn)
write_ref(
  data.frame(
    code = w$codes,
    gistar_W = as.numeric(localG(w$x, nb2listw(nb_knn_self, style = "W"))),
    gistar_B = as.numeric(localG(w$x, nb2listw(nb_knn_self, style = "B")))
  ),
  "wards_weapons_knn6_local.csv"
)

# ---------------------------------------------------------------------------------------------
# case 2: lsoa_burglary (4,994 LSOAs 2021; City LSOAs = no data)
# ---------------------------------------------------------------------------------------------
lsoas <- st_read(file.path(data_dir, "boundaries", "ons_2021_gen20", "london-2021-lsoa-gen20.shp"),
                 quiet = TRUE)
stopifnot(nrow(lsoas) == 4994L, !anyDuplicated(lsoas$LSOA21CD))

burglary_months <- format(seq(as.Date("2024-03-01"), as.Date("2025-02-01"), by = "month"), "%Y-%m")
records <- do.call(rbind, lapply(burglary_months, function(m) {
  f <- file.path(data_dir, "crime", "police_uk_metropolitan_burglary",
                 paste0(m, "-metropolitan-street.csv"))
  r <- read.csv(f, check.names = FALSE, colClasses = "character")
  stopifnot(all(r$Month == m), all(r[["Crime type"]] == "Burglary"))
  r[, c("Month", "LSOA code")]
}))
burglary_counts <- table(records[["LSOA code"]])
lsoa_city <- lsoas$LAD22CD == CITY
lsoa_value <- as.numeric(burglary_counts[lsoas$LSOA21CD])
lsoa_value[is.na(lsoa_value)] <- 0
lsoa_value[lsoa_city] <- NA_real_
lsoa_population <- unname(lsoa_pop[lsoas$LSOA21CD])
stopifnot(!anyNA(lsoa_population))

invisible(run_case("lsoa_burglary", lsoas, lsoas$LSOA21CD, lsoa_value, lsoa_population,
                   compress = TRUE))

# ---------------------------------------------------------------------------------------------
# provenance: versions used
# ---------------------------------------------------------------------------------------------
writeLines(
  c(
    paste("R:", R.version.string),
    paste("spdep:", as.character(packageVersion("spdep"))),
    paste("sf:", as.character(packageVersion("sf"))),
    paste("GEOS:", sf_extSoftVersion()[["GEOS"]]),
    paste("poly2nb snap:", sprintf("%.17g", SNAP)),
    paste("police.uk burglary records read:", nrow(records))
  ),
  file.path(out_dir, "versions.txt")
)
message("done")
