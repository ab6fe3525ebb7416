#include "parley/runtime/model_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace parley {
namespace {

constexpr char kMagic[8] = {'P', 'A', 'R', 'L', 'E', 'Y', 'M', '\n'};

template <typename T>
void Append(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
bool Take(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

uint64_t ModelFileChecksum(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

Status WriteFileAtomic(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return InvalidArgument("cannot write " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return InvalidArgument("cannot write " + path + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return InvalidArgument("cannot write " + path + ": " + err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return InvalidArgument("cannot rename " + tmp + " to " + path + ": " + err);
  }
  return OkStatus();
}

Status SaveModel(const std::string& path, const Model& model, std::span<const double> params,
                 const nlohmann::json& checkpoint) {
  if (params.size() != model.NumParams())
    return Internal("SaveModel: " + std::to_string(params.size()) + " parameters for a model of " +
                    std::to_string(model.NumParams()));
  nlohmann::json config_json = model.Config();
  if (!checkpoint.is_null()) config_json["checkpoint"] = checkpoint;
  std::string config = config_json.dump();
  std::string out;
  out.append(kMagic, sizeof(kMagic));
  Append<uint32_t>(out, kModelFileVersion);
  Append<uint32_t>(out, static_cast<uint32_t>(config.size()));
  out += config;
  Append<uint64_t>(out, params.size());
  out.append(reinterpret_cast<const char*>(params.data()), params.size() * sizeof(double));
  Append<uint64_t>(out, ModelFileChecksum(out));
  return WriteFileAtomic(path, out);
}

StatusOr<LoadedModel> LoadModel(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound("cannot open model file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  std::string_view in(bytes);
  auto bad = [&](const std::string& what) {
    return DataLoss(path + ": " + what);
  };
  if (in.size() < sizeof(kMagic) || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0)
    return InvalidArgument(path + ": not a parley model file (bad magic)");
  in.remove_prefix(sizeof(kMagic));
  uint32_t version = 0, config_len = 0;
  if (!Take(in, &version)) return bad("truncated header");
  if (version != kModelFileVersion)
    return InvalidArgument(path + ": model file format version " + std::to_string(version) +
                           " is not supported (this parley reads version " +
                           std::to_string(kModelFileVersion) + ")");
  if (!Take(in, &config_len) || in.size() < config_len) return bad("truncated config");
  std::string_view config_text = in.substr(0, config_len);
  in.remove_prefix(config_len);
  uint64_t n = 0;
  if (!Take(in, &n)) return bad("truncated parameter count");
  if (in.size() < n * sizeof(double) + sizeof(uint64_t) || n > (1ULL << 40))
    return bad("truncated parameters (expected " + std::to_string(n) + ")");
  LoadedModel out;
  out.params.resize(n);
  if (n > 0) std::memcpy(out.params.data(), in.data(), n * sizeof(double));  // data() may be null
  in.remove_prefix(n * sizeof(double));
  uint64_t stored = 0;
  Take(in, &stored);
  uint64_t computed = ModelFileChecksum(std::string_view(bytes).substr(0, bytes.size() - in.size() - 8));
  if (stored != computed) return bad("checksum mismatch: the file is corrupt");
  if (!in.empty()) return bad("trailing bytes after the checksum");
  nlohmann::json config = nlohmann::json::parse(config_text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) return bad("config is not a JSON object");
  if (config.contains("checkpoint")) {
    out.checkpoint = config["checkpoint"];
    config.erase("checkpoint");
  }
  auto model = MakeModelFromConfig(config);
  if (!model.ok()) return InvalidArgument(path + ": " + model.status().message());
  out.model = std::move(model).value();
  if (out.model->NumParams() != n)
    return bad("holds " + std::to_string(n) + " parameters, its config needs " +
               std::to_string(out.model->NumParams()));
  return out;
}

}  // namespace parley
