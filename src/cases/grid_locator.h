#pragma once
// Which grid a point lies in: point-in-polygon over the grids' shapes with
// GEOS prepared geometries behind an STR-tree.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace shequ::cases {

struct GridShape {
  std::string area_code, area_path, wkt;  // WKT polygon in longitude/latitude
};

class GridLocator {
 public:
  // A validation Status naming the area of the first shape that is not a valid polygon.
  static Result<std::unique_ptr<GridLocator>> Create(const std::vector<GridShape>& shapes);
  ~GridLocator();

  // The grid containing (lng, lat), boundary included; nullopt outside every grid.
  // Thread-safe.
  std::optional<GridShape> Find(double lng, double lat) const;
  size_t size() const;

 private:
  struct Impl;
  explicit GridLocator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The GeoJSON geometry of a WKT polygon, for maps; nullopt when it does not parse.
std::optional<std::string> GeoJsonOf(const std::string& wkt);

// Great-circle distance in metres (haversine on a sphere of the earth's mean radius):
// for the 50 m duplicate rule, where the error of the sphere does not matter.
double DistanceMeters(double lng1, double lat1, double lng2, double lat2);

}  // namespace shequ::cases
