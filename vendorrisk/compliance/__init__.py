"""The compliance matrix: obligations of Arts. 25-27 computed per vendor from the data."""
