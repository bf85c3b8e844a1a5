package evaluation

import (
	"os"
	"path/filepath"

	"github.com/soceval/soceval/suite"
)

// loadRunSuite reads the suite copy kept in a run folder. Relative paths
// in it resolve against suiteDir, the folder of the original suite file.
func loadRunSuite(dir, suiteDir string) (*suite.Suite, error) {
	data, err := os.ReadFile(filepath.Join(dir, SuiteFile))
	if err != nil {
		return nil, err
	}
	s, err := suite.Parse(data, filepath.Join(dir, SuiteFile))
	if err != nil {
		return nil, err
	}
	s.Dir = suiteDir
	return s, nil
}
