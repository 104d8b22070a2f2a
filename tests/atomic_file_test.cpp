// Files replaced together: an AtomicFileGroup renames its files only on commit, and leaves every
// old file whole, and no temporary file, when one of them fails; and the temporary files of writes
// in progress are found for a signal handler to remove.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "neurona/atomic_file.hpp"
#include "neurona/error.hpp"
#include "temp_folder.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class AtomicFiles : public ::TempFolderTest {
 protected:
  std::string read(const std::string& name) {
    std::ifstream in(dir / name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void write_old(const std::string& name) { std::ofstream(dir / name) << "old " << name; }
  std::set<std::string> files() {
    std::set<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir))
      names.insert(entry.path().filename().string());
    return names;
  }
};

TEST_F(AtomicFiles, AGroupReplacesItsFilesOnlyOnCommit) {
  write_old("model.json");
  write_old("history.csv");
  AtomicFileGroup group;
  write_file_atomically(dir / "model.json", "new model");
  write_file_atomically(dir / "history.csv", "new history");
  EXPECT_EQ(read("model.json"), "old model.json");
  EXPECT_EQ(read("history.csv"), "old history.csv");
  group.commit();
  EXPECT_EQ(read("model.json"), "new model");
  EXPECT_EQ(read("history.csv"), "new history");
  EXPECT_EQ(files(), (std::set<std::string>{"model.json", "history.csv"}));
  // Once committed, writing is immediate again.
  write_file_atomically(dir / "model.json", "newer");
  EXPECT_EQ(read("model.json"), "newer");
}

TEST_F(AtomicFiles, AFailureInAGroupLeavesEveryOldFileWhole) {
  // The first file is written, the second cannot be: neither is replaced, no temporary stays.
  write_old("model.json");
  try {
    AtomicFileGroup group;
    write_file_atomically(dir / "model.json", "new model");
    write_file_atomically(dir / "no" / "such" / "plot.svg", "<svg/>");
    group.commit();
    FAIL() << "the second write succeeded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("plot.svg: cannot write"), std::string::npos);
  }
  EXPECT_EQ(read("model.json"), "old model.json");
  EXPECT_EQ(files(), std::set<std::string>{"model.json"});
  // The group is gone with the exception: writes are immediate again.
  write_file_atomically(dir / "model.json", "new model");
  EXPECT_EQ(read("model.json"), "new model");
}

TEST_F(AtomicFiles, OneGroupAtATime) {
  AtomicFileGroup group;
  EXPECT_THROW(AtomicFileGroup(), std::logic_error);
}

TEST_F(AtomicFiles, TheTemporaryFilesOfWritesInProgressCanBeRemoved) {
  // As a signal handler would, with two files written and not yet renamed.
  write_old("model.json");
  AtomicFileGroup group;
  write_file_atomically(dir / "model.json", "new model");
  write_file_atomically(dir / "report.html", "<html>");
  EXPECT_EQ(files().size(), 3u);  // the old model and two temporary files
  remove_temporary_files();
  EXPECT_EQ(files(), std::set<std::string>{"model.json"});
  EXPECT_EQ(read("model.json"), "old model.json");
  // Nothing is left to rename.
  EXPECT_THROW(group.commit(), InputError);
  EXPECT_EQ(files(), std::set<std::string>{"model.json"});
}

}  // namespace
}  // namespace neurona
