"""Record linkage on Splink (issue 4): features from the names module, a model estimated without
threshold tuning, pairs with weights and explanations, clusters. Pure: DataFrames in and out."""
