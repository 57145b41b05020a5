"""Order plans as mixed-integer programmes (PuLP; CBC by default, HiGHS when highspy is installed): pure Python over
DataFrames, no Django."""
